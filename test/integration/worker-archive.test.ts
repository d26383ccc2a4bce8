// A worker's archive on a real SQLite file (src/store/worker-archive.ts,
// machines/archive.ts): what the store held at the start is read by index
// when asked, what is written after it is not the archive's, and a worker
// restored from the file behaves as one that read everything at start: it
// refuses a late run, lists and sweeps its archived tasks, and forgets them.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, waitFor } from 'xstate';
import type { TaskPolicy } from '../../machines/task.js';
import { listing } from '../../machines/worker/listing.js';
import { silentLog } from '../../src/log.js';
import { SqliteTaskStore } from '../../src/store/sqlite-task-store.js';
import type { FromWorker } from '../../src/vocabulary/protocol.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { memoryWorker } from '../helpers/memory-worker.js';
import { WorkerWrites } from '../../src/store/worker-writes.js';

const dirs: string[] = [];
const closing: (() => void)[] = [];
afterEach(
  () => {
    closing.splice(0).forEach((close) => close());
    dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  },
  { timeout: 60_000 },
);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const completed = (id: string, version: number, finishedAgo: number, fields: Partial<Task> = {}) =>
  newTask({
    ID: id,
    Name: id,
    Image: 'img',
    Worker: 'w1',
    Placement: `m.${id}`,
    State: 3,
    StateName: 'completed',
    SubmitTime: ago(2 * HOUR),
    FinishTime: ago(finishedAgo),
    Version: version,
    ...fields,
  });

/** A worker store file holding three Completed tasks and some tombstones, as a worker left it. */
function history(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cube-archive-'));
  dirs.push(dir);
  const file = join(dir, 'worker.db');
  const store = new SqliteTaskStore(file, silentLog);
  store.write([
    ['old', completed('old', 3, 3 * HOUR)],
    ['mid', completed('mid', 7, 2 * HOUR)],
    ['new', completed('new', 5, MINUTE)],
    ['live', newTask({ ID: 'live', Name: 'live', Image: 'img', Placement: 'm.live', State: 2, StateName: 'running', Version: 9 })],
  ]);
  store.saveTombstones([
    { id: 'new', placement: 'm.earlier', at: ago(2 * MINUTE) },
    { id: 'stranger', placement: 'm.s1', at: ago(5 * HOUR) },
    { id: 'stranger', placement: 'm.s2#1', at: ago(4 * HOUR) },
    { id: 'recent', placement: 'm.r', at: ago(MINUTE) },
  ]);
  store.close();
  return file;
}

function open(file: string, log = silentLog) {
  const store = new SqliteTaskStore(file, log);
  closing.push(() => store.close());
  return store;
}

test('the archive is what the file held at the start, read by index; later writes are not its', { timeout: 60_000 }, () => {
  const store = open(history());
  const { archive, done, tombstones } = store.load();
  assert.ok(archive);
  assert.equal(tombstones.length, 0, 'nothing read at start');
  assert.equal(archive.count, 3);
  assert.equal(archive.newestVersion, 7);
  assert.equal(done.size, 3);
  const mid = archive.get('mid');
  assert.deepEqual([mid?.ID, mid?.Worker, mid?.Placement, mid?.Version], ['mid', 'w1', 'm.mid', 7]);
  assert.equal(archive.get('live'), undefined, 'not Completed');
  assert.deepEqual(
    [...archive.all()].map((t) => t.ID),
    ['old', 'mid', 'new'],
  );
  assert.deepEqual(
    [...archive.newerThan(4)].map((t) => t.ID),
    ['mid', 'new'],
  );
  assert.deepEqual(
    [...archive.byFinish()].map(([id]) => id),
    ['old', 'mid', 'new'],
    'the first finished first',
  );
  assert.deepEqual(archive.tombstones('stranger'), ['m.s1', 'm.s2'], 'placements as the worker compares them');
  assert.equal(archive.tombstones('old'), undefined);
  assert.deepEqual([...archive.buriedBefore(Date.now() - 3 * HOUR)], ['stranger'], 'no record, and its newest tombstone is 4 hours old');
  assert.deepEqual([...archive.buriedBefore(Date.now() - 4.5 * HOUR)], [], 'its newest counts');

  store.write([['later', completed('later', 8, 0)]]);
  store.saveTombstones([{ id: 'later-stop', placement: 'm.x', at: ago(6 * HOUR) }]);
  assert.equal(archive.get('later'), undefined, 'completed after the start: the worker holds it in memory');
  assert.equal(archive.tombstones('later-stop'), undefined);
  assert.deepEqual(
    [...archive.byFinish()].map(([id]) => id),
    ['old', 'mid', 'new'],
  );
});

const policy: TaskPolicy = { restartLimit: 0, restartDelayMs: 0, restartDelayMaxMs: 0, healthFailures: 3 };

function restoredWorker(file: string, retention = { ms: 24 * HOUR, max: 100 }, log = silentLog) {
  const store = open(file, log);
  const writes = new WorkerWrites(store, 'test', silentLog);
  const restore = store.load();
  const { logic } = memoryWorker(writes);
  const worker = createActor(logic, {
    input: {
      name: 'w1',
      policy,
      restore: restore.tasks,
      done: restore.done,
      tombstones: restore.tombstones,
      archive: restore.archive,
      startedAt: new Date().toISOString(),
      retention,
    },
  });
  const reports: FromWorker[] = [];
  worker.on('*', (event) => reports.push(event as FromWorker));
  worker.start();
  closing.unshift(() => worker.stop());
  const context = () => worker.getSnapshot().context;
  return { worker, store, writes, context, reports };
}

test('a worker restored from the file refuses a late run and answers for its archived tasks as if it had read them', { timeout: 60_000 }, async () => {
  const { worker, context, reports } = restoredWorker(history());
  assert.ok(context().seq > 7, 'versions continue past the archive');
  worker.send({ type: 'task.run', task: newTask({ ID: 'stranger', Name: 'stranger', Image: 'img', Placement: 'm.s1' }), at: new Date().toISOString() });
  worker.send({ type: 'task.run', task: newTask({ ID: 'new', Name: 'new2', Image: 'img', Placement: 'm.new' }), at: new Date().toISOString() });
  assert.equal(context().tasks.has('stranger'), false, 'a run its stop overtook (archived tombstone)');
  assert.equal(context().tasks.has('new'), false, 'a run of a placement that already completed');
  assert.equal(reports.filter((r) => r.type === 'task.refused').length, 2);
  const full = listing(context(), undefined, new Date().toISOString());
  assert.deepEqual(full.done?.map((d) => d.ID).sort(), ['mid', 'new', 'old']);
  const since = listing(context(), 5, new Date().toISOString());
  assert.deepEqual(
    since.done?.map((d) => d.ID),
    ['mid'],
    'changes after version 5',
  );
  assert.deepEqual(listing(context(), context().seq, new Date().toISOString()).done, [], 'nothing asked of the store');
});

test('a worker sweeps its archive with what it finished since, in the order they finished, and forgets what it prunes', { timeout: 60_000 }, async () => {
  const file = history();
  const { worker, context, writes } = restoredWorker(file, { ms: 2.5 * HOUR, max: 3 });
  // The start's sweep: "old" finished 3 hours ago; the stranger's tombstones are 4 hours old. ("live" has no container
  // on this runtime: it fails for good, and counts as finished.)
  await waitFor(worker, () => !context().done.has('old'), { timeout: 5000 });
  assert.equal(context().done.size, 2);
  assert.equal(context().tombstones.get('stranger'), undefined);
  assert.deepEqual(context().tombstones.get('recent'), ['m.r'], 'left a minute ago');
  // A task completes now: the oldest beyond three ("mid") goes at the next sweep.
  worker.send({ type: 'task.run', task: newTask({ ID: 'fresh', Name: 'fresh', Image: 'img', Placement: 'm.fresh' }), at: new Date().toISOString() });
  await waitFor(worker, () => context().tasks.get('fresh')?.StateName === 'running', { timeout: 5000 });
  worker.send({ type: 'task.stop', id: 'fresh', placement: 'm.fresh', at: new Date().toISOString() });
  await waitFor(worker, () => context().done.has('fresh'), { timeout: 5000 });
  await waitFor(worker, () => context().tasks.get('live')?.StateName === 'failed', { timeout: 5000 });
  // Its manager's sync says it has heard all of it: the count may prune (a finish it has not heard of waits).
  worker.send({ type: 'manager.heard', since: context().seq });
  worker.send({ type: 'worker.gc', at: new Date(Date.now() + MINUTE).toISOString(), forget: [] });
  await waitFor(worker, () => !context().done.has('mid'), { timeout: 5000 });
  assert.deepEqual([...context().done.keys()].sort(), ['fresh', 'new']);
  worker.stop();
  writes.close(); // writes what waited behind
  const again = open(file).load();
  assert.deepEqual([...again.done.keys()].sort(), ['fresh', 'new'], 'pruned from the file too');
  assert.equal(again.archive?.tombstones('stranger'), undefined);
});

test('an archive that cannot be read is taken as empty, said in the log, and the worker goes on', { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const { worker, store, context } = restoredWorker(history(), { ms: HOUR, max: 100 }, (line) => lines.push(line));
  store.close(); // every read of the file fails from now on, as on a failing disk
  const now = new Date().toISOString();
  worker.send({ type: 'task.run', task: newTask({ ID: 'stranger', Name: 'stranger', Image: 'img', Placement: 'm.s1' }), at: now });
  worker.send({ type: 'worker.gc', at: now, forget: [{ id: 'mid', placement: 'm.mid' }] });
  assert.equal(worker.getSnapshot().status, 'active', 'no exception left the machine');
  assert.equal(context().done.has('mid'), false, 'unknown while the file cannot be read');
  const said = lines.join('\n');
  assert.match(said, /could not read the Completed task stranger \(.*\); taken as none, the worker goes on: check the disk/);
  assert.match(said, /could not read its Completed tasks in the order they finished/);
});
