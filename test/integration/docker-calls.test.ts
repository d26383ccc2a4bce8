// How many Docker calls a stop costs, counted on the real engine through a
// proxy that logs every call: a DELETE of a running task stops and removes its
// container (two calls), and one stopped while its start is on its way looks
// its containers up by label first, so none is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDockerHttpProxy } from '../helpers/docker-http-proxy.js';
import { containersOf } from '../helpers/docker.js';
import { del, post } from '../helpers/http.js';
import { testWorker, untilTask } from '../helpers/worker.js';
import type { Task } from '../../src/vocabulary/task.js';

const event = (task: Partial<Task>) => ({ Task: { Image: 'strm/helloworld-http', ...task } });

/** The calls about one container, or that look a task's containers up by its label. */
const about = (calls: string[], containerId: string, taskId: string) =>
  calls.filter((c) => c.includes(containerId) || c.includes(encodeURIComponent(`cube.task.id=${taskId}`)));

test('a DELETE of a running task costs two Docker calls: stop and remove', { timeout: 60_000 }, async (t) => {
  const proxy = await startDockerHttpProxy();
  t.after(() => proxy.close());
  const worker = await testWorker(t, { dockerHost: proxy.address });
  const created = await post<Task>(`${worker.url}/tasks`, event({ Name: `calls-${Date.now()}` }));
  const running = await untilTask(worker, created.body.ID, (x) => x.State === 2);
  proxy.calls.length = 0;
  assert.equal((await del(`${worker.url}/tasks/${running.ID}`)).status, 204);
  assert.deepEqual(
    about(proxy.calls, running.ContainerID, running.ID).map((c) => c.replace(/\?.*/, '')),
    [`POST /containers/${running.ContainerID}/stop`, `DELETE /containers/${running.ContainerID}`],
  );
  assert.equal((await containersOf(worker.name)).length, 0, 'the container is gone');
});

test('a DELETE while the start is on its way looks the containers up, and leaves none', { timeout: 60_000 }, async (t) => {
  const proxy = await startDockerHttpProxy();
  t.after(() => proxy.close());
  const worker = await testWorker(t, { dockerHost: proxy.address });
  const created = await post<Task>(`${worker.url}/tasks`, event({ Name: `calls-early-${Date.now()}` }));
  assert.equal(created.body.State, 1, 'Scheduled: its start is on its way');
  assert.equal((await del(`${worker.url}/tasks/${created.body.ID}`)).status, 204);
  assert.ok(
    proxy.calls.some((c) => c.startsWith('GET /containers/json') && c.includes(encodeURIComponent(`cube.task.id=${created.body.ID}`))),
    'listed by its label',
  );
  assert.equal((await containersOf(worker.name)).length, 0, 'nothing is left behind');
});
