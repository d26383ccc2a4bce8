// The volume rules of placement (src/scheduler/filters/volumes.ts, binds.ts,
// protocol.ts), through the pipeline: a task goes back to the worker that
// holds its named volume, or waits saying why; binds go only to workers whose
// --volume-root allows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyHeld, filterCandidates, roundRobin, type Candidate } from '../../src/scheduler/index.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import type { Mount } from '../../src/vocabulary/mounts.js';
import { slotMounts } from '../../src/vocabulary/mounts.js';
import type { WorkerStats } from '../../src/vocabulary/protocol.js';
import { workerStats } from '../helpers/stats.js';

interface Worker {
  unavailable?: string;
  problem?: string;
  volumes?: string[];
  roots?: string[];
  protocol?: WorkerStats['Protocol'];
}
const worker = (name: string, { roots, protocol, ...fields }: Worker = {}): Candidate => ({
  name,
  stats: workerStats(name, { ...(roots ? { VolumeRoots: roots } : {}), ...(protocol ? { Protocol: protocol } : {}) }),
  held: emptyHeld(),
  ...fields,
});
const mount = (Type: Mount['Type'], Source: string, Target = '/data'): Mount => ({ Type, Source, Target, ReadOnly: false, Size: 0 });
const task = (...Mounts: Mount[]): Task => newTask({ ID: 't', Name: 't', Image: 'img', Mounts });
/** The workers the task may go to, in name order, or why it waits. */
const where = (t: Task, workers: Candidate[]): string[] | string => {
  const placed = roundRobin.pick(t, workers, undefined);
  return placed.worker === null ? placed.reason : filterCandidates(t, workers).fitting.map((c) => c.name);
};

test('no mounts, a tmpfs, or a volume nobody holds yet: any worker', { timeout: 10_000 }, () => {
  const workers = [worker('w1'), worker('w2')];
  assert.deepEqual(where(task(), workers), ['w1', 'w2']);
  assert.deepEqual(where(task(mount('tmpfs', '')), workers), ['w1', 'w2']);
  assert.deepEqual(where(task(mount('volume', 'pgdata')), [worker('w1', { volumes: ['other'] }), worker('w2')]), ['w1', 'w2']);
});

test('a held volume ties the task to its worker while it is up', { timeout: 10_000 }, () => {
  assert.deepEqual(where(task(mount('volume', 'pgdata')), [worker('w1'), worker('w2', { volumes: ['pgdata'] })]), ['w2']);
});

test('a holder that is down or suspect: the task waits for it, saying which worker and why', { timeout: 10_000 }, () => {
  const down = where(task(mount('volume', 'pgdata')), [
    worker('w1'),
    worker('w2', { volumes: ['pgdata'], unavailable: 'down', problem: 'no heartbeat for 16 s' }),
  ]);
  assert.equal(down, 'waiting for worker w2, which holds its volume pgdata: the worker is down (no heartbeat for 16 s)');
  const suspect = where(task(mount('volume', 'pgdata')), [worker('w1'), worker('w2', { volumes: ['pgdata'], unavailable: 'suspect' })]);
  assert.equal(suspect, 'waiting for worker w2, which holds its volume pgdata: the worker is suspect');
});

test('a drained holder: the task waits, and the reason says how to let it go elsewhere', { timeout: 10_000 }, () => {
  const drained = where(task(mount('volume', 'pgdata')), [worker('w1'), worker('w2', { volumes: ['pgdata'], unavailable: 'draining' })]);
  assert.match(
    drained as string,
    /^waiting for worker w2, which holds its volume pgdata: the worker is drained\. Undrain it \(cube node undrain w2\).*DELETE \/nodes\/w2\/volumes\/pgdata.*cube node rm w2/,
  );
});

test('a holder up but short of room: the counts say so, the other workers counted as without the volume', { timeout: 10_000 }, () => {
  const big = newTask({ ID: 't', Name: 't', Image: 'img', Mounts: [mount('volume', 'pgdata')], Memory: 16 * 2 ** 30 });
  assert.match(
    where(big, [worker('w1'), worker('w2', { volumes: ['pgdata'] })]) as string,
    /^no worker can take the task: 2 workers: 1 without its volume pgdata, which w2 holds, 1 short of memory \(w2 has/,
  );
});

test('volumes held by two workers: the task waits, naming both', { timeout: 10_000 }, () => {
  const two = where(task(mount('volume', 'a', '/a'), mount('volume', 'b', '/b')), [worker('w1', { volumes: ['a'] }), worker('w2', { volumes: ['b'] })]);
  assert.match(two as string, /^waiting: its volumes live on different workers \(a on w1; b on w2\)/);
});

test('binds go only to workers whose roots allow them; with none up that does, the task waits naming every root', { timeout: 10_000 }, () => {
  const workers = [worker('w1'), worker('w2', { roots: ['/srv'] }), worker('w3', { roots: ['/srv/cube'], unavailable: 'down' })];
  assert.deepEqual(where(task(mount('bind', '/srv/cube/x')), workers), ['w2']);
  assert.deepEqual(where(task(mount('bind', '/srv')), workers), ['w2'], 'a root allows itself');
  assert.equal(
    where(task(mount('bind', '/srvx')), workers),
    'no worker can take the task: 3 workers: 2 not letting tasks bind /srvx (its --volume-root) (w1 allows none; w2 allows /srv), 1 down (w3)',
  );
  // A bind and a volume: the holder must allow the bind too.
  assert.match(
    where(task(mount('bind', '/srv/a', '/a'), mount('volume', 'v')), [worker('w1', { volumes: ['v'] }), worker('w2', { roots: ['/srv'] })]) as string,
    /1 not letting tasks bind \/srv\/a \(its --volume-root\) \(w1 allows none\)/,
  );
});

test("a service copy's volumes are named by its slot", { timeout: 10_000 }, () => {
  assert.deepEqual(
    slotMounts([mount('volume', 'pgdata'), mount('tmpfs', '', '/tmp')], 1).map((m) => m.Source),
    ['pgdata-1', ''],
  );
});

test("a worker that speaks the book's protocol takes no task with mounts", { timeout: 10_000 }, () => {
  const workers = [worker('b1', { protocol: 'book' }), worker('c1', { protocol: 'cube' })];
  assert.deepEqual(where(task(mount('volume', 'v')), workers), ['c1']);
  assert.equal(
    where(task(mount('tmpfs', '')), [workers[0]!]),
    "no worker can take the task: 1 worker: 1 speaking the book's protocol, which cannot carry the task's Mounts",
  );
});
