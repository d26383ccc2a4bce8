// Several managers on a real etcd, in this process, with a worker that joins
// them on MemoryRuntime (an in-memory stand-in that runs no containers: these
// tests are about the managers). Followers answer reads from etcd and pass the
// rest to the leader; a leader that stops hands over at once; a drain survives
// a change of leader; a joined worker that stops renewing is forgotten when its
// lease runs out; and the membership routes refuse bad input in words, on
// etcd and on SQLite alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { readSettings, type Settings } from '../../src/config/settings.js';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import type { RunningManager } from '../../src/manager/wiring/options.js';
import { MemoryRuntime } from '../../src/runtime/memory.js';
import { startWorker, type RunningWorker } from '../../src/worker/start.js';
import { readEvents } from '../../src/http/sse-client.js';
import { etcdForFile, managersOn } from '../helpers/etcd.js';
import { connectEtcd } from '../../src/store/etcd.js';
import { del, get, post } from '../helpers/http.js';

const etcd = etcdForFile();

const host = (url: string) => url.replace('http://', '');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `check` holds, asking every 50 ms: etcd and the managers have no event to wait on here. */
async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await pause(50);
  }
}

function cluster(t: { after(fn: () => Promise<void>): void }, extra: Partial<Settings> = {}) {
  const settings = managersOn(etcd(), extra);
  const managers: RunningManager[] = [];
  const workers: RunningWorker[] = [];
  t.after(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(managers.map((m) => m.close()));
  });
  return {
    managers,
    settings,
    async manager() {
      const manager = await startManager({ port: 0, settings, log: silentLog });
      managers.push(manager);
      return manager;
    },
    async worker(name: string, joinTtlMs = readSettings({}, {}).joinTtlMs) {
      const worker = await startWorker({
        port: 0,
        name,
        runtime: new MemoryRuntime(),
        log: silentLog,
        settings: { ...settings, store: 'memory', joinTtlMs, join: managers.map((m) => host(m.url)).join(',') },
      });
      workers.push(worker);
      return worker;
    },
    leader: () => until(async () => managers.find((m) => m.leads?.()), 10_000, 'a leader'),
  };
}

const hello = (id: string) => ({ Task: { ID: id, Name: `task-${id}`, Image: 'strm/helloworld-http' } });

test(
  'a follower answers reads from etcd and passes commands and the event stream to the leader; every answer names the leader',
  { timeout: 60_000 },
  async (t) => {
    const c = cluster(t);
    await c.manager();
    const leader = await c.leader();
    const follower = await c.manager();
    await c.worker(`w-${nanoid(4)}`);
    await until(async () => ((await get(`${follower.url}/nodes`)).body as { State: string }[]).some((n) => n.State === 'up'), 10_000, 'the worker up');

    const accepted = await post(`${follower.url}/tasks`, hello('via-follower'));
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.equal(accepted.headers.get('cube-leader'), leader.url);
    assert.equal(follower.leads?.(), false);
    const read = await until(
      async () => {
        const reply = await get(`${follower.url}/tasks/via-follower`);
        return reply.status === 200 && reply.body.State === 2 && reply.body;
      },
      10_000,
      'the follower reads it Running from etcd',
    );
    assert.equal(read.ID, 'via-follower');
    assert.deepEqual(
      ((await get(`${follower.url}/tasks`)).body as { ID: string }[]).map((x) => x.ID),
      ['via-follower'],
    );
    assert.equal((await get(`${follower.url}/tasks/nope`)).status, 404);
    assert.ok(
      ((await get(`${follower.url}/log?limit=50`)).body as { Type: string }[]).some((e) => e.Type === 'Received'),
      'the log from etcd',
    );

    // The event stream, through the follower.
    const abort = new AbortController();
    const response = await fetch(`${follower.url}/events`, { signal: abort.signal });
    assert.equal(response.headers.get('content-type')?.startsWith('text/event-stream'), true);
    const first = await readEvents(response.body!).next();
    abort.abort();
    assert.equal(first.value?.type, 'snapshot');

    const joined = await post(`${follower.url}/nodes`, { Name: 'through-follower', Address: '127.0.0.1:1' });
    assert.equal(joined.status, 201, 'a join through a follower');
    assert.ok(Number(joined.headers.get('cube-join-ttl')) > 0, 'with the leader’s TTL passed back');
    assert.equal((await post(`${follower.url}/nodes/through-follower/drain`, undefined)).status, 200);
    assert.equal((await del(`${follower.url}/nodes/through-follower`)).status, 204);

    const stopped = await del(`${follower.url}/tasks/via-follower`);
    assert.equal(stopped.status, 204, JSON.stringify(stopped.body));
    const nodes = (await get(`${follower.url}/nodes`)).body as { Role: string; State: string; Api?: string }[];
    assert.deepEqual(
      nodes
        .filter((n) => n.Role === 'manager')
        .map((n) => [n.Api, n.State])
        .sort(),
      [
        [follower.url, 'follower'],
        [leader.url, 'leader'],
      ].sort(),
    );
  },
);

test('a leader that stops hands over at once; the next one carries on with the tasks, the worker and its drain', { timeout: 60_000 }, async (t) => {
  const c = cluster(t);
  await c.manager();
  const first = await c.leader();
  const second = await c.manager();
  const [w1, w2] = [`w1-${nanoid(4)}`, `w2-${nanoid(4)}`];
  await c.worker(w1);
  await c.worker(w2);
  await until(
    async () =>
      ((await get(`${first.url}/nodes`)).body as { State: string; Role: string }[]).filter((n) => n.Role === 'worker' && n.State === 'up').length === 2,
    10_000,
    'both workers up',
  );
  for (const id of ['a', 'b']) assert.equal((await post(`${first.url}/tasks`, hello(id))).status, 201);
  const drained = await post(`${first.url}/nodes/${w1}/drain`, undefined);
  assert.equal(drained.status, 200, JSON.stringify(drained.body));
  assert.equal(drained.body.Draining, true);
  await until(
    async () => ((await get(`${first.url}/tasks`)).body as { Worker: string; State: number }[]).every((x) => x.Worker === w2 && x.State === 2),
    10_000,
    'both tasks on w2',
  );

  const stoppedAt = Date.now();
  await first.close();
  c.managers.splice(c.managers.indexOf(first), 1);
  await until(async () => second.leads?.(), 3000, 'the second leads');
  assert.ok(Date.now() - stoppedAt < 1500, `handed over at once (${Date.now() - stoppedAt} ms), not after the lease`);
  const nodes = await until(
    async () => {
      const list = (await get(`${second.url}/nodes`)).body as { Name: string; State: string; Draining: boolean; Role: string }[];
      return list.filter((n) => n.Role === 'worker' && n.State === 'up').length === 2 && list;
    },
    10_000,
    'the workers up under the new leader',
  );
  assert.equal(nodes.find((n) => n.Name === w1)?.Draining, true, 'the drain is kept');
  const tasks = (await get(`${second.url}/tasks`)).body as { ID: string; State: number; Worker: string }[];
  assert.deepEqual(tasks.map((x) => [x.ID, x.State, x.Worker]).sort(), [
    ['a', 2, w2],
    ['b', 2, w2],
  ]);
  const next = await post(`${second.url}/tasks`, hello('c'));
  assert.equal(next.status, 201);
  assert.equal(next.body.Worker, w2, 'nothing on the drained worker');
});

test('a joined worker that stops renewing is forgotten when its registration’s lease runs out', { timeout: 60_000 }, async (t) => {
  const c = cluster(t, { joinTtlMs: 2000 });
  const manager = await c.manager();
  await c.leader();
  const name = `short-${nanoid(4)}`;
  const connection = connectEtcd({ etcd: etcd().endpoints, etcdPrefix: '/', etcdTimeoutMs: 1000 });
  t.after(() => connection.close());
  const leasesBefore = (await connection.client.leaseClient.leaseLeases()).leases.length; // other tests' too: one etcd
  const worker = await c.worker(name, 60_000); // the manager's TTL counts: it tells the worker
  await until(async () => ((await get(`${manager.url}/nodes`)).body as { Name: string }[]).some((n) => n.Name === name), 5000, 'joined');
  await pause(2500); // renewals keep it past the TTL
  assert.ok(
    ((await get(`${manager.url}/nodes`)).body as { Name: string }[]).some((n) => n.Name === name),
    'renewed, it stays',
  );
  // Each renewal puts the registration under a new lease and revokes the old: leases do not pile up.
  const added = (await connection.client.leaseClient.leaseLeases()).leases.length - leasesBefore;
  assert.ok(added <= 2, `the registration's lease (and one being replaced), not one per renewal: ${added}`);
  await until(async () => ((await get(`${manager.url}/nodes`)).body as { Name: string }[]).some((n) => n.Name === name), 5000, 'joined');
  await worker.close();
  await until(async () => !((await get(`${manager.url}/nodes`)).body as { Name: string }[]).some((n) => n.Name === name), 10_000, 'forgotten after the lease');
});

test('the membership routes refuse what is wrong in words, on etcd and on SQLite', { timeout: 60_000 }, async (t) => {
  const c = cluster(t);
  const onEtcd = await c.manager();
  await c.leader();
  const onSqlite = await startManager({ port: 0, settings: { store: 'sqlite', dataDir: mkdtempSync(join(tmpdir(), 'cube-members-')) }, log: silentLog });
  t.after(() => onSqlite.close());
  for (const manager of [onEtcd, onSqlite]) {
    const bad = await post(`${manager.url}/nodes`, { Address: 'no-port' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.Message, /Address: expected the worker's API as host:port \(like 10.0.0.7:5555\), got "no-port"/);
    assert.equal((await post(`${manager.url}/nodes`, [])).status, 400);
    const joined = await post(`${manager.url}/nodes`, { Name: 'x1', Address: '127.0.0.1:1' });
    assert.equal(joined.status, 201, JSON.stringify(joined.body));
    assert.equal((await post(`${manager.url}/nodes`, { Name: 'x1', Address: '127.0.0.1:1' })).status, 200, 'a renewal');
    const moved = await post(`${manager.url}/nodes`, { Name: 'x1', Address: '127.0.0.1:2' });
    assert.equal(moved.status, 200, 'the same worker, back at another address');
    assert.equal(moved.body.Address, '127.0.0.1:2');
    assert.equal((await post(`${manager.url}/nodes/nobody/drain`, undefined)).status, 404);
    const early = await del(`${manager.url}/nodes/x1`);
    assert.equal(early.status, 409);
    assert.match(early.body.Message, /worker x1 is (unknown|suspect) and not drained; drain it first/);
    assert.equal((await post(`${manager.url}/nodes/x1/drain`, undefined)).status, 200);
    const undrained = await del(`${manager.url}/nodes/x1/drain`);
    assert.equal(undrained.status, 200);
    assert.equal(undrained.body.Draining, false);
    assert.equal((await del(`${manager.url}/nodes/x1`)).status, 409, 'no longer drained');
    assert.equal((await post(`${manager.url}/nodes/x1/drain`, undefined)).status, 200);
    assert.equal((await del(`${manager.url}/nodes/x1`)).status, 204);
    assert.equal((await del(`${manager.url}/nodes/x1`)).status, 404);
  }
});

test('on SQLite, joined workers and drains survive a restart of the manager', { timeout: 60_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cube-members-'));
  let manager = await startManager({ port: 0, settings: { store: 'sqlite', dataDir }, log: silentLog });
  assert.equal((await post(`${manager.url}/nodes`, { Name: 'j1', Address: '127.0.0.1:1' })).status, 201);
  assert.equal((await post(`${manager.url}/nodes`, { Name: 'j2', Address: '127.0.0.1:2' })).status, 201);
  assert.equal((await post(`${manager.url}/nodes/j2/drain`, undefined)).status, 200);
  assert.equal((await post(`${manager.url}/nodes/j1/drain`, undefined)).status, 200);
  assert.equal((await del(`${manager.url}/nodes/j1/drain`)).status, 200, 'a drain that ended is not kept');
  await manager.close();
  manager = await startManager({ port: 0, settings: { store: 'sqlite', dataDir }, log: silentLog });
  t.after(() => manager.close());
  const nodes = (await get(`${manager.url}/nodes`)).body as { Name: string; Joined: boolean; Draining: boolean }[];
  assert.deepEqual(
    nodes.map((n) => [n.Name, n.Joined, n.Draining]),
    [
      ['j1', true, false],
      ['j2', true, true],
    ],
  );
});

test('on SQLite, a joined worker that stops renewing is forgotten after CUBE_JOIN_TTL too (the manager sweeps)', { timeout: 60_000 }, async (t) => {
  const manager = await startManager({
    port: 0,
    settings: { store: 'sqlite', dataDir: mkdtempSync(join(tmpdir(), 'cube-members-')), joinTtlMs: 600 },
    log: silentLog,
  });
  t.after(() => manager.close());
  const joined = await post(`${manager.url}/nodes`, { Name: 'gone', Address: '127.0.0.1:1' });
  assert.equal(joined.headers.get('cube-join-ttl'), '600', 'the answer says how long the registration lasts');
  await until(async () => !((await get(`${manager.url}/nodes`)).body as { Name: string }[]).some((n) => n.Name === 'gone'), 5000, 'swept');
});
