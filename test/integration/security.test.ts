// The locked-down API: loopback by default, a shared token on every route of
// both APIs (sent by the manager to its workers), a body limit, and no key that
// could mount host paths or run privileged containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { startManager } from '../../src/manager/start.js';
import { startWorker } from '../../src/worker/start.js';
import { silentLog } from '../../src/log.js';
import type { Task } from '../../src/vocabulary/task.js';
import { removeContainersOf } from '../helpers/docker.js';
import { request } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';
import { untilView } from '../helpers/watch.js';

const token = 's3cret-token';
const routes = (extra: string[]) => [
  ['GET', '/tasks'],
  ['POST', '/tasks'],
  ['GET', '/tasks/x'],
  ['DELETE', '/tasks/x'],
  ['GET', '/nowhere'],
  ...extra.map((r) => r.split(' ')),
];

async function assertLocked(url: string, extra: string[]) {
  for (const [method, path] of routes(extra)) {
    const none = await request(method!, `${url}${path}`, method === 'POST' ? '{}' : undefined);
    assert.equal(none.status, 401, `${method} ${path} without a token`);
    assert.match(none.body.Message, /requires a token: send "Authorization: Bearer <token>"/);
    const wrong = await request(method!, `${url}${path}`, method === 'POST' ? '{}' : undefined, { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401, `${method} ${path} with a wrong token`);
    assert.match(wrong.body.Message, /the token is wrong/);
  }
  const right = await request('GET', `${url}/tasks`, undefined, { authorization: `Bearer ${token}` });
  assert.equal(right.status, 200);
}

test('with CUBE_TOKEN set, every route of the worker and the manager wants it; the manager sends it to its workers', { timeout: 60_000 }, async (t) => {
  const name = `sec-${nanoid(5)}`;
  const worker = await startWorker({ port: 0, name, settings: testSettings({ token }), log: silentLog });
  const manager = await startManager({ port: 0, workers: [worker.url.replace('http://', '')], settings: testSettings({ token }), log: silentLog });
  t.after(async () => {
    await manager.close();
    await worker.close();
    await removeContainersOf(name);
  });
  await assertLocked(worker.url, ['GET /stats', 'GET /events']);
  await assertLocked(manager.url, ['GET /nodes', 'GET /events', 'GET /log']);

  const auth = { authorization: `Bearer ${token}` };
  const created = await request<Task>('POST', `${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: name } }, auth);
  assert.equal(created.status, 201);
  const events = await fetch(`${manager.url}/events`, { headers: auth });
  assert.equal(events.status, 200);
  await events.body?.cancel();
  const onWorker = await request<Task[]>('GET', `${worker.url}/tasks`, undefined, auth);
  assert.deepEqual(
    onWorker.body.map((task) => task.ID),
    [created.body.ID],
    'the manager reached the worker with the token',
  );
});

test('a manager without the token cannot use a worker that wants one, and says why', { timeout: 60_000 }, async (t) => {
  const worker = await startWorker({ port: 0, name: `sec-${nanoid(5)}`, settings: testSettings({ token }), log: silentLog });
  const manager = await startManager({ port: 0, workers: [worker.url.replace('http://', '')], settings: testSettings(), log: silentLog });
  t.after(async () => {
    await manager.close();
    await worker.close();
  });
  const view = await untilView(manager.url, (v) => v.nodes[0]?.State === 'suspect');
  assert.match(view.nodes[0].Problem, /GET \/events answered 401: this Cube requires a token/);
});

test('APIs listen on loopback unless told otherwise, and refuse large bodies', { timeout: 60_000 }, async (t) => {
  const worker = await startWorker({ port: 0, name: `sec-${nanoid(5)}`, settings: testSettings(), log: silentLog });
  const manager = await startManager({ port: 0, settings: testSettings(), log: silentLog });
  t.after(async () => {
    await manager.close();
    await worker.close();
  });
  assert.match(worker.url, /^http:\/\/127\.0\.0\.1:/);
  assert.match(manager.url, /^http:\/\/127\.0\.0\.1:/);
  for (const url of [worker.url, manager.url]) {
    const huge = await request('POST', `${url}/tasks`, JSON.stringify({ Task: { Image: 'x', Cmd: ['y'.repeat(300_000)] } }));
    assert.equal(huge.status, 413);
    assert.match(huge.body.Message, /larger than 256 KiB \(CUBE_BODY_MAX\)/);
  }
});

test('CUBE_BODY_MAX sets the largest body, on both APIs', { timeout: 30_000 }, async (t) => {
  const settings = testSettings({ bodyMax: 1000 });
  const worker = await startWorker({ port: 0, name: `sec-${nanoid(5)}`, settings, log: silentLog });
  const manager = await startManager({ port: 0, settings, log: silentLog });
  t.after(async () => {
    await manager.close();
    await worker.close();
  });
  for (const url of [worker.url, manager.url]) {
    const body = JSON.stringify({ Task: { Image: 'x', Cmd: ['y'.repeat(1000)] } });
    const refused = await request('POST', `${url}/tasks`, body);
    assert.equal(refused.status, 413);
    assert.equal(refused.body.Message, 'the request body is larger than 1000 bytes (CUBE_BODY_MAX); a TaskEvent is much smaller than that');
  }
});

test('no key of a task can mount host paths outside --volume-root, run privileged, or reach into Docker options', { timeout: 60_000 }, async (t) => {
  const manager = await startManager({ port: 0, settings: testSettings(), log: silentLog });
  t.after(() => manager.close());
  const bind = await request('POST', `${manager.url}/tasks`, {
    Task: { Image: 'strm/helloworld-http', Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }] },
  });
  assert.equal(bind.status, 400);
  assert.match(bind.body.Message, /^Task\.Mounts: no worker lets tasks bind \/; .*--volume-root \(CUBE_VOLUME_ROOT\)/);
  for (const key of ['Privileged', 'Binds', 'Volumes', 'HostConfig', 'CapAdd', 'NetworkMode', 'User', 'Devices']) {
    const reply = await request('POST', `${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', [key]: key === 'Privileged' ? true : ['/:/host'] } });
    assert.equal(reply.status, 400, key);
    assert.match(reply.body.Message, new RegExp(`Task: "${key}" is not a known key`));
  }
  const name = await request('POST', `${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: '../../etc' } });
  assert.equal(name.status, 400);
  const image = await request('POST', `${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http; rm -rf /' } });
  assert.equal(image.status, 400);
});
