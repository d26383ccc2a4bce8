// Ports as the book's runtime publishes them: a task that names no ports gets
// every port its image exposes, on free host ports, and HostPorts shows them;
// a task that names ports gets those, as before. Real Docker, real HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { pageWhenServing, post } from '../helpers/http.js';
import { testWorker, untilTask } from '../helpers/worker.js';

const run = (fields: Partial<Task>) => ({ Task: { Image: 'strm/helloworld-http', Name: `ports-${nanoid(8)}`, ...fields } });

test('a task that names no ports has the image’s exposed port published on a free host port, and answers there', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const created = await post<Task>(`${worker.url}/tasks`, run({}));
  const running = await untilTask(worker, created.body.ID, (x) => x.State === 2);
  assert.deepEqual(Object.keys(running.HostPorts ?? {}), ['80/tcp'], 'the port the image exposes (EXPOSE 80)');
  const port = running.HostPorts!['80/tcp']!.find((b) => b.HostIp === '0.0.0.0')!.HostPort;
  assert.ok(Number(port) > 0);
  assert.match(await pageWhenServing(`http://127.0.0.1:${port}/`), /Hello from/);
});

test('a task that names its ports gets those and not the image’s', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const created = await post<Task>(`${worker.url}/tasks`, run({ ExposedPorts: { '8080/tcp': {} } }));
  const running = await untilTask(worker, created.body.ID, (x) => x.State === 2);
  assert.deepEqual(Object.keys(running.HostPorts ?? {}), ['8080/tcp'], 'only the named port: 80 stays unpublished');
});
