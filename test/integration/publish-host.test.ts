// CUBE_PUBLISH_HOST on the real engine: a task's ports are published on the
// address asked for (127.0.0.1 keeps them on the machine), or on every address
// when it is unset, as Docker does by default; the health check still reaches them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { inspectContainer } from '../helpers/docker.js';
import { pageWhenServing, post } from '../helpers/http.js';
import { testWorker, untilTask } from '../helpers/worker.js';

async function runWeb(publishHost: string | undefined, t: Parameters<typeof testWorker>[0]) {
  const worker = await testWorker(t, { settings: publishHost === undefined ? {} : { publishHost } });
  const created = await post<Task>(`${worker.url}/tasks`, {
    Task: { Image: 'strm/helloworld-http', Name: `pub-${nanoid(6)}`, ExposedPorts: { '80/tcp': {} }, HealthCheck: '/' },
  });
  assert.equal(created.status, 201);
  const running = await untilTask(worker, created.body.ID, (task) => task.State === 2 && task.HostPorts !== null);
  const container = await inspectContainer(running.ContainerID);
  return { running, container: container! };
}

test('with CUBE_PUBLISH_HOST=127.0.0.1 a task port binds to 127.0.0.1 only, and its health check reaches it', { timeout: 60_000 }, async (t) => {
  const { running, container } = await runWeb('127.0.0.1', t);
  assert.deepEqual(container.HostConfig.PortBindings!['80/tcp'], [{ HostIp: '127.0.0.1', HostPort: '' }]);
  const bound = container.NetworkSettings.Ports['80/tcp']!;
  assert.deepEqual(
    bound.map((b) => b.HostIp),
    ['127.0.0.1'],
  );
  assert.deepEqual(
    running.HostPorts!['80/tcp']!.map((b) => b.HostIp),
    ['127.0.0.1'],
  );
  assert.match(await pageWhenServing(`http://127.0.0.1:${bound[0]!.HostPort}/`), /Hello from/);
});

test('unset, task ports bind to every address, as Docker (and the book) do', { timeout: 60_000 }, async (t) => {
  const { container } = await runWeb(undefined, t);
  assert.deepEqual(container.HostConfig.PortBindings!['80/tcp'], [{ HostIp: '', HostPort: '' }]);
  const addresses = container.NetworkSettings.Ports['80/tcp']!.map((b) => b.HostIp);
  assert.ok(addresses.includes('0.0.0.0'), `bound on ${addresses.join(', ')}`);
});
