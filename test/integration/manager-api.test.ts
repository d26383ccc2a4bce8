// docs/spec.md §7's manager scenario against the real engine, over real HTTP: the task
// reaches the worker without the user touching the worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { waitForTask, type CommandTarget } from '../../src/actors/requests.js';
import { startManager } from '../../src/manager/start.js';
import { startWorker } from '../../src/worker/start.js';
import { silentLog } from '../../src/log.js';
import { ZERO_TIME, type Task } from '../../src/vocabulary/task.js';
import { containersOf, inspectContainer, removeContainersOf } from '../helpers/docker.js';
import { del, get, post, request } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';
import { untilView } from '../helpers/watch.js';
import { example } from '../helpers/examples.js';

test('docs/spec.md §7: through the manager, a task runs on the worker, shows State 2 and its container, and stops', { timeout: 60_000 }, async (t) => {
  const name = `mgr-${nanoid(6)}`;
  const manager = await startManager({ port: 0, local: [{ port: 0, name }], settings: testSettings(), log: silentLog });
  t.after(async () => {
    await manager.close();
    await removeContainersOf(name);
  });
  const worker = manager.local[0]!;
  const body = example('task.json');
  const id = body.Task.ID as string;

  const created = await post<Task>(`${manager.url}/tasks`, body);
  assert.equal(created.status, 201);
  assert.equal(created.body.ContainerID, '');
  assert.equal(created.body.Worker, name);

  const target = manager.service.actor as unknown as CommandTarget;
  await waitForTask(target, id, manager.service.ledger().tasks.get(id), (task) => task.State === 2);
  const running = await get<Task>(`${manager.url}/tasks/${id}`);
  assert.equal(running.body.State, 2);
  assert.notEqual(running.body.ContainerID, '');
  assert.ok((await inspectContainer(running.body.ContainerID))?.State.Running);
  const onWorker = await get<Task>(`${worker.url}/tasks/${id}`);
  assert.equal(onWorker.body.ContainerID, running.body.ContainerID, 'the worker has it, though only the manager was asked');

  const nodes = await get(`${manager.url}/nodes`);
  assert.equal(nodes.body[0].Name, name);
  assert.equal(nodes.body[0].State, 'up');
  assert.ok(nodes.body[0].MemoryTotal > 0);

  const stopped = await del(`${manager.url}/tasks/${id}`);
  assert.equal(stopped.status, 204);
  assert.equal(await inspectContainer(running.body.ContainerID), undefined, 'the container is gone');
  const completed = await get<Task>(`${manager.url}/tasks/${id}`);
  assert.equal(completed.body.State, 3);
  assert.notEqual(completed.body.FinishTime, ZERO_TIME);
});

test('the manager answers bad requests and unknown ids clearly', { timeout: 60_000 }, async (t) => {
  const manager = await startManager({ port: 0, local: [{ port: null, name: `mgr-${nanoid(6)}` }], settings: testSettings(), log: silentLog });
  t.after(() => manager.close());
  const bad = await request('POST', `${manager.url}/tasks`, '{"Task": {"Image": "x", "Bogus": 1}}');
  assert.equal(bad.status, 400);
  assert.match(bad.body.Message, /Task: "Bogus" is not a known key/);
  assert.equal((await get(`${manager.url}/tasks/nope`)).status, 404);
  const gone = await del(`${manager.url}/tasks/nope`);
  assert.equal(gone.status, 404);
  assert.match(gone.body.Message, /no task nope/);
  assert.deepEqual((await get(`${manager.url}/tasks`)).body, []);
});

test('malformed worker addresses are refused at start with the address named', { timeout: 60_000 }, async () => {
  await assert.rejects(
    startManager({ port: 0, workers: ['127.0.0.1:5555', 'nope'], settings: testSettings(), log: silentLog }),
    /worker address "nope" is not host:port/,
  );
  await assert.rejects(startManager({ port: 0, workers: ['127.0.0.1:99999'], settings: testSettings(), log: silentLog }), /"127.0.0.1:99999" is not host:port/);
});

test('a stop its worker has not confirmed survives a manager restart, and is carried out when the worker is back', { timeout: 60_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cube-stop-'));
  const name = `stop-${nanoid(6)}`;
  const settings = testSettings({ store: 'sqlite', dataDir, heartbeatTtlMs: 60_000, stopTimeoutMs: 200 }); // unreachable, not yet lost;
  let worker = await startWorker({ port: 0, name, settings, log: silentLog });
  const address = worker.url.replace('http://', '');
  let manager = await startManager({ port: 0, workers: [address], settings, log: silentLog });
  t.after(async () => {
    await manager.close();
    await worker.close();
    await removeContainersOf(name);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const created = await post<Task>(`${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: name } });
  await untilView(manager.url, (v) => v.tasks.some((task) => task.ID === created.body.ID && task.State === 2));

  await worker.close(); // the worker is gone: the stop cannot be delivered
  const stopped = await del(`${manager.url}/tasks/${created.body.ID}`);
  assert.equal(stopped.status, 202);
  assert.match(stopped.body.Message, /has not confirmed it yet/);
  await manager.close();

  manager = await startManager({ port: 0, workers: [address], settings, log: silentLog });
  assert.ok(manager.service.ledger().stopRequested.has(created.body.ID), 'the pending stop was saved');
  worker = await startWorker({ port: Number(address.split(':')[1]), name, settings, log: silentLog });
  const done = await untilView(manager.url, (v) => v.tasks.some((task) => task.ID === created.body.ID && task.State === 3));
  assert.equal(done.tasks.find((task) => task.ID === created.body.ID)!.State, 3);
  assert.equal((await containersOf(name)).filter((c) => c.State === 'running').length, 0, 'its container is stopped');
});

test('a worker that stops cleanly says so: its manager logs it in words and GET /nodes shows why', { timeout: 60_000 }, async (t) => {
  const name = `leave-${nanoid(6)}`;
  const settings = testSettings({ heartbeatTtlMs: 60_000 });
  const worker = await startWorker({ port: 0, name, settings, log: silentLog });
  const lines: string[] = [];
  const manager = await startManager({ port: 0, workers: [worker.url.replace('http://', '')], settings, log: (line) => lines.push(line) });
  t.after(async () => {
    await manager.close();
    await removeContainersOf(name);
  });
  await untilView(manager.url, (v) => v.nodes.some((w) => w.Name === worker.url.replace('http://', '') && w.State === 'up'));

  await worker.close();
  const view = await untilView(manager.url, (v) => v.nodes.some((w) => w.State === 'suspect'));
  const gone = view.nodes.find((w) => w.State === 'suspect')!;
  assert.match(gone.Problem, /stopped \(it said it was leaving\)$/, 'not a socket error: the worker said goodbye');
  assert.ok(
    lines.some((line) => /is stopping \(it said so\); its tasks stay placed until it answers again or CUBE_HEARTBEAT_TTL passes/.test(line)),
    lines.join('\n'),
  );
  assert.ok(!lines.some((line) => /UND_ERR_SOCKET|cannot read/.test(line)), lines.join('\n'));
});

test('DELETE ?forget=true removes one finished task from the manager, its worker and the store; a live one is refused', { timeout: 60_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cube-forget-'));
  const name = `forget-${nanoid(6)}`;
  const settings = testSettings({ store: 'sqlite', dataDir });
  const worker = await startWorker({ port: 0, name, settings, log: silentLog });
  const workers = [worker.url.replace('http://', '')];
  let manager = await startManager({ port: 0, workers, settings, log: silentLog });
  t.after(async () => {
    await manager.close();
    await worker.close();
    await removeContainersOf(name);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const created = await post<Task>(`${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: name } });
  const id = created.body.ID;
  await untilView(manager.url, (v) => v.tasks.some((task) => task.ID === id && task.State === 2));

  const live = await del(`${manager.url}/tasks/${id}?forget=true`);
  assert.equal(live.status, 409);
  assert.match(live.body.Message, /is running: only a finished task can be forgotten; stop it first \(DELETE \/tasks\/.*\), then forget it/);
  const wrong = await del(`${manager.url}/tasks/${id}?forget=yes`);
  assert.equal(wrong.status, 400);
  assert.match(wrong.body.Message, /forget: expected "true"/);
  assert.equal((await del(`${manager.url}/tasks/no-such-task?forget=true`)).status, 404);

  assert.equal((await del(`${manager.url}/tasks/${id}`)).status, 204);
  await untilView(manager.url, (v) => v.tasks.some((task) => task.ID === id && task.State === 3));
  assert.equal((await del(`${manager.url}/tasks/${id}?forget=true`)).status, 204);
  assert.equal((await get(`${manager.url}/tasks/${id}`)).status, 404, 'gone from the manager');
  const log = await get<{ Type: string; Message: string }[]>(`${manager.url}/log`);
  assert.ok(
    log.body.some((entry) => entry.Type === 'Forgotten' && entry.Message.includes(id)),
    'the log says so',
  );
  // The manager tells the worker at once; its actor's next change is that gc, so look again at each one.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => (subscription.unsubscribe(), reject(new Error('the worker did not forget the task within 30 s'))), 30_000);
    const check = async () => {
      if ((await get(`${worker.url}/tasks/${id}`)).status !== 404) return;
      clearTimeout(timer);
      subscription.unsubscribe();
      resolve();
    };
    const subscription = worker.service.actor.subscribe(() => void check());
    void check();
  });

  await manager.close();
  manager = await startManager({ port: 0, workers, settings, log: silentLog });
  assert.equal((await get(`${manager.url}/tasks/${id}`)).status, 404, 'and from the store: a restarted manager does not have it');
});

test('every answer says which API gave it, errors too: Cube-Role', { timeout: 60_000 }, async (t) => {
  const manager = await startManager({ port: 0, local: [{ port: 0, name: `role-${nanoid(6)}` }], settings: testSettings(), log: silentLog });
  t.after(() => manager.close());
  const workerUrl = manager.local[0]!.url!;
  for (const [url, role] of [
    [`${manager.url}/nodes`, 'manager'],
    [`${manager.url}/nowhere`, 'manager'],
    [`${workerUrl}/tasks`, 'worker'],
    [`${workerUrl}/tasks/no-such-task`, 'worker'],
  ] as const) {
    const response = await fetch(url);
    await response.body?.cancel();
    assert.equal(response.headers.get('cube-role'), role, url);
  }
});
