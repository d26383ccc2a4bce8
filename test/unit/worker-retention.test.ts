// A worker's side of retention and of syncs that send changes (issue 13),
// over MemoryRuntime (an in-memory stand-in: no Docker): its heartbeat sweeps
// its finished tasks (a Failed one's container is removed and its actor
// stopped), `worker.gc` forgets what the manager pruned, tombstones go with
// their task or a retention period after the stop, and a listing after a
// version has only what changed, and names what the worker holds.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import type { Archive } from '../../machines/archive.js';
import { DoneTasks } from '../../machines/done-tasks.js';
import type { WorkerMachine } from '../../machines/worker.js';
import type { WorkerInput } from '../../machines/worker/context.js';
import { listing } from '../../machines/worker/listing.js';
import type { TaskPolicy } from '../../machines/task.js';
import { MemoryTaskStore } from '../../src/store/task-store.js';
import { silentLog } from '../../src/log.js';
import type { FromWorker } from '../../src/vocabulary/protocol.js';
import type { Retention } from '../../src/vocabulary/retention.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { memoryWorker, someStats } from '../helpers/memory-worker.js';
import { WorkerService } from '../../src/worker/service.js';
import { WorkerWrites } from '../../src/store/worker-writes.js';

const policy: TaskPolicy = { restartLimit: 0, restartDelayMs: 0, restartDelayMaxMs: 0, healthFailures: 3 };
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const HOUR = 3_600_000;

const running: { stop(): unknown }[] = [];
afterEach(() => running.splice(0).forEach((actor) => actor.stop()), { timeout: 20_000 });

function startWorker(retention: Retention, restored: Pick<WorkerInput, 'done' | 'tombstones' | 'restore' | 'archive'> = {}) {
  const store = new MemoryTaskStore();
  const writes = new WorkerWrites(store, 'test', silentLog);
  const { runtime, logic } = memoryWorker(writes);
  const worker = createActor(logic, { input: { name: 'w1', policy, shardCapacity: 4, retention, ...restored } });
  const reports: FromWorker[] = [];
  worker.on('*', (event) => reports.push(event as FromWorker));
  worker.start();
  running.push(worker);
  const context = () => worker.getSnapshot().context;
  const settled = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** The heartbeat at `ms`: the worker's clock, which drives its sweeps. */
  const beat = (ms: number) => worker.send({ type: 'stats.sampled', stats: someStats, at: at(ms) });
  return { worker, runtime, store, context, reports, settled, beat };
}

const task = (id: string, fields: Partial<Task> = {}) => newTask({ ID: id, Name: id, Image: 'img', ...fields });
const until = (worker: Actor<WorkerMachine>, ok: () => boolean) => waitFor(worker, ok, { timeout: 5000 });

test(
  'the heartbeat sweeps finished tasks past the retention period: a Completed record is forgotten, a Failed one loses its container and its actor',
  { timeout: 10_000 },
  async () => {
    const { worker, runtime, store, context, settled, beat } = startWorker({ ms: HOUR, max: 100 });
    worker.send({ type: 'task.run', task: task('done', { Placement: 'm.1' }), at: at(0) });
    worker.send({ type: 'task.run', task: task('broken', { Placement: 'm.2' }), at: at(0) });
    worker.send({ type: 'task.run', task: task('alive', { Placement: 'm.3' }), at: at(0) });
    await until(worker, () => ['done', 'broken', 'alive'].every((id) => context().tasks.get(id)?.State === 2));
    worker.send({ type: 'task.stop', id: 'done', placement: 'm.1', at: at(1) });
    runtime.exit('broken', 1); // no restarts left: Failed for good, its stopped container kept for docker logs
    await until(worker, () => context().done.has('done') && context().tasks.get('broken')?.StateName === 'failed');
    assert.equal(runtime.containers.size, 2, 'the Failed task keeps its (stopped) container');
    await settled();
    assert.ok(store.read('done'), 'the Completed record is in the store');

    const finishedAt = Math.max(...[...context().finished.values()]);
    beat(finishedAt - T0 + HOUR / 2);
    assert.equal(context().finished.size, 2, 'kept within the retention period');
    beat(finishedAt - T0 + HOUR + 1);
    assert.equal(context().done.has('done'), false);
    assert.equal(context().tasks.has('broken'), false);
    assert.equal(context().tasks.get('alive')?.State, 2, 'nothing live is pruned');
    await until(worker, () => runtime.containers.size === 1);
    assert.equal(context().pool.of.has('broken'), false, "the Failed task's actor is gone");
    await settled();
    assert.equal(store.read('done'), undefined, 'forgotten by the store too');
    assert.equal(store.read('broken'), undefined);
    assert.equal(context().active, 1);
  },
);

test(
  'a finish its manager has not heard of is kept past the maximum count until a sync says it was heard, and goes all the same once the retention period is over',
  { timeout: 10_000 },
  async () => {
    const { worker, runtime, context, beat } = startWorker({ ms: HOUR, max: 0 });
    worker.send({ type: 'task.run', task: task('a', { Placement: 'm.1' }), at: at(0) });
    worker.send({ type: 'task.run', task: task('b', { Placement: 'm.2' }), at: at(0) });
    await until(worker, () => context().tasks.get('a')?.State === 2 && context().tasks.get('b')?.State === 2);
    runtime.exit('a', 1); // Failed for good: its report may be lost on the way, as in a partition
    await until(worker, () => context().tasks.get('a')?.StateName === 'failed');
    const finishedAt = context().finished.get('a')!;
    const MINUTE = 60_000;
    beat(finishedAt - T0 + MINUTE);
    assert.equal(context().tasks.get('a')?.StateName, 'failed', 'over the maximum count (0), but its manager has not heard it finished');
    worker.send({ type: 'worker.sync', since: context().tasks.get('a')!.Version - 1, at: at(finishedAt - T0 + MINUTE) });
    beat(finishedAt - T0 + 3 * MINUTE);
    assert.ok(context().tasks.has('a'), 'a sync from before its finish does not say it was heard');
    worker.send({ type: 'worker.sync', since: context().seq, at: at(finishedAt - T0 + 3 * MINUTE) });
    beat(finishedAt - T0 + 5 * MINUTE);
    assert.equal(context().tasks.has('a'), false, 'heard: pruned at the next sweep');

    runtime.exit('b', 1);
    await until(worker, () => context().tasks.get('b')?.StateName === 'failed');
    const bFinished = context().finished.get('b')!;
    beat(bFinished - T0 + HOUR / 2);
    assert.ok(context().tasks.has('b'), 'never heard, within the retention period: kept');
    beat(bFinished - T0 + HOUR + MINUTE);
    assert.equal(context().tasks.has('b'), false, 'never heard, but past the retention period: pruned, so memory stays bounded');
  },
);

test(
  "a remote manager's sync (GET /tasks?since=N, through the worker's service) tells the worker what it has heard; a since past its newest version tells nothing",
  { timeout: 10_000 },
  async () => {
    const { worker, runtime, context, beat } = startWorker({ ms: HOUR, max: 0 });
    const service = new WorkerService('w1', worker);
    worker.send({ type: 'task.run', task: task('a', { Placement: 'm.1' }), at: at(0) });
    await until(worker, () => context().tasks.get('a')?.State === 2);
    runtime.exit('a', 1);
    await until(worker, () => context().tasks.get('a')?.StateName === 'failed');
    const finished = context().finished.get('a')! - T0;
    service.sync(context().seq + 100); // a manager that remembers more than this worker has: it lost its state
    assert.equal(context().heardUpTo, 0);
    beat(finished + 60_000);
    assert.ok(context().tasks.has('a'), 'not heard: kept');
    service.sync(context().seq);
    assert.equal(context().heardUpTo, context().seq);
    beat(finished + 3 * 60_000);
    assert.equal(context().tasks.has('a'), false, 'heard: pruned');
  },
);

test('a worker restarted with a finish a manager placed keeps it until that manager syncs past it', { timeout: 10_000 }, () => {
  const now = Date.now() - T0;
  const failed = task('a', { Placement: 'm.1', State: 4, StateName: 'failed', FinishTime: at(now), Version: 7 });
  const { worker, context, beat } = startWorker({ ms: HOUR, max: 0 }, { restore: [failed] });
  const later = now + 120_000; // after the heartbeat of its start
  beat(later);
  assert.ok(context().tasks.has('a'), 'the manager has heard nothing of this start');
  worker.send({ type: 'worker.sync', since: context().seq, at: at(later) });
  beat(later + 2 * 60_000);
  assert.equal(context().tasks.has('a'), false);
});

test('a worker used alone (its tasks POSTed to it, with no placement) prunes by the count at once', { timeout: 10_000 }, async () => {
  const { worker, runtime, context, beat } = startWorker({ ms: HOUR, max: 0 });
  worker.send({ type: 'task.run', task: task('a'), at: at(0) });
  await until(worker, () => context().tasks.get('a')?.State === 2);
  runtime.exit('a', 1);
  await until(worker, () => context().tasks.get('a')?.StateName === 'failed');
  beat(context().finished.get('a')! - T0 + 60_000);
  assert.equal(context().tasks.has('a'), false);
});

test('worker.gc forgets the finished placements the manager pruned, and nothing else', { timeout: 10_000 }, async () => {
  const { worker, runtime, context } = startWorker({ ms: Infinity, max: Infinity });
  worker.send({ type: 'task.run', task: task('a', { Placement: 'm.1' }), at: at(0) });
  worker.send({ type: 'task.run', task: task('b', { Placement: 'm.2' }), at: at(0) });
  await until(worker, () => context().tasks.get('a')?.State === 2 && context().tasks.get('b')?.State === 2);
  worker.send({ type: 'task.stop', id: 'a', placement: 'm.1', at: at(1) });
  await until(worker, () => context().done.has('a'));
  worker.send({
    type: 'worker.gc',
    at: at(2),
    forget: [
      { id: 'a', placement: 'm.0' },
      { id: 'b', placement: 'm.2' },
    ],
  });
  assert.ok(context().done.has('a'), 'another placement of it was pruned: this one stays');
  assert.equal(context().tasks.get('b')?.State, 2, 'a running task is never forgotten');
  worker.send({ type: 'worker.gc', at: at(3), forget: [{ id: 'a', placement: 'm.1' }] });
  assert.equal(context().done.has('a'), false);
  assert.equal(runtime.containers.size, 1);
});

test('tombstones go with their task, or a retention period after the stop for a task the worker never had', { timeout: 10_000 }, async () => {
  const { worker, context, beat } = startWorker({ ms: HOUR, max: 100 });
  // The worker's first heartbeat was its start's, by the real clock: later ones come after it.
  const stopped = Date.now() + 120_000 - T0;
  worker.send({ type: 'task.stop', id: 'never', placement: 'm.9', at: at(stopped) }); // a stop that overtook its run
  assert.deepEqual(context().tombstones.get('never'), ['m.9']);
  worker.send({ type: 'task.run', task: task('never', { Placement: 'm.9' }), at: at(stopped + 1) });
  assert.equal(context().tasks.has('never'), false, 'the late run is refused');
  beat(stopped + HOUR / 2);
  assert.ok(context().tombstones.has('never'));
  beat(stopped + HOUR + 1);
  assert.equal(context().tombstones.has('never'), false, 'forgotten a retention period after the stop');
});

test('a stopped task pruned at once keeps its tombstone a retention period more: a late run of its placement is refused', { timeout: 10_000 }, async () => {
  // The simulator's seed 10 with services: their finished copies filled CUBE_RETENTION_MAX, so a task the user
  // stopped was pruned 2 s later, its tombstone with it, and a run that arrived late started it again.
  const { worker, context, beat } = startWorker({ ms: HOUR, max: 100 });
  const begin = Date.now() + 120_000 - T0;
  worker.send({ type: 'task.run', task: task('t2', { Placement: 'm.5' }), at: at(begin) });
  await until(worker, () => context().tasks.get('t2')?.State === 2);
  worker.send({ type: 'task.stop', id: 't2', placement: 'm.5', at: at(begin + 1) });
  await until(worker, () => context().done.has('t2'));
  worker.send({ type: 'worker.gc', at: at(begin + 2), forget: [{ id: 't2', placement: 'm.5' }] });
  assert.equal(context().done.has('t2'), false, 'the task is pruned');
  worker.send({ type: 'task.run', task: task('t2', { Placement: 'm.5' }), at: at(begin + 3) });
  assert.equal(context().tasks.has('t2'), false, 'the late run of the stopped placement is refused');
  beat(begin + 2 + HOUR / 2);
  assert.ok(context().tombstones.has('t2'));
  beat(begin + 2 + HOUR + 1);
  assert.equal(context().tombstones.has('t2'), false, 'forgotten a retention period after the prune');
  assert.equal(context().buried.has('t2'), false);
});

test('a stopped task read from the archive keeps its tombstone in memory when pruned: the store forgets it with the task', { timeout: 10_000 }, () => {
  // The simulator's seed 3666 with services: the worker was restarted after the task's stop, so its tombstone was the
  // archive's; the prune kept it by name, the store forgot it with the task, and a late run of the placement started.
  const now = Date.now() - T0;
  const stopped: Record<string, string[]> = { t3: ['m.5'] };
  const finished = { ID: 't3', Worker: 'w1', Placement: 'm.5', SubmitTime: at(now), FinishTime: at(now), Version: 3 };
  const archive: Archive = {
    count: 1,
    newestVersion: 3,
    get: (id) => (id === 't3' && stopped['t3'] ? finished : undefined),
    all: () => [finished],
    newerThan: () => [],
    byFinish: () => [['t3', now]],
    tombstones: (id) => stopped[id],
    buriedBefore: () => [],
  };
  const { worker, context } = startWorker({ ms: HOUR, max: 100 }, { archive });
  worker.send({ type: 'worker.gc', at: at(now + 2), forget: [{ id: 't3', placement: 'm.5' }] });
  delete stopped['t3']; // the store forgot the task, and its tombstones with it
  assert.equal(context().done.has('t3'), false, 'the task is pruned');
  worker.send({ type: 'task.run', task: task('t3', { Placement: 'm.5' }), at: at(now + 3) });
  assert.equal(context().tasks.has('t3'), false, 'the late run of the stopped placement is refused');
});

test(
  "a container Docker would not remove at its task's stop is removed after the task is pruned: its tombstone says so (sim seed 3387)",
  { timeout: 10_000 },
  async () => {
    // The simulator's seed 3387 with services: removes failed on w1 while a copy was stopped (Completed all the same,
    // the reconcile retries); the copy was pruned before Docker answered again, and its container ran for good.
    const { worker, context, runtime, settled } = startWorker({ ms: HOUR, max: 100 });
    const removed: string[] = [];
    runtime.removeContainer = async (id: string) => void removed.push(id);
    const begin = Date.now() + 120_000 - T0;
    worker.send({ type: 'task.run', task: task('copy', { Placement: 'm.7' }), at: at(begin) });
    await until(worker, () => context().tasks.get('copy')?.State === 2);
    const containerId = context().tasks.get('copy')!.ContainerID;
    worker.send({ type: 'task.stop', id: 'copy', placement: 'm.7', at: at(begin + 1) });
    await until(worker, () => context().done.has('copy'));
    worker.send({ type: 'worker.gc', at: at(begin + 2), forget: [{ id: 'copy', placement: 'm.7' }] });
    assert.equal(context().done.has('copy'), false, 'the task is pruned');
    // The reconcile's listing: the container runs still, and so does one of a task the worker never heard of.
    const containers = [
      { taskId: 'copy', containerId, running: true, paused: false, exitCode: null },
      { taskId: 'stranger', containerId: 'c-stranger', running: true, paused: false, exitCode: null },
    ];
    worker.send({ type: 'containers.observed', containers, asOf: begin + 3, at: at(begin + 3) });
    await settled();
    assert.deepEqual(removed, [containerId], 'removed; the stranger is left alone: its run may be on its way');
  },
);

test(
  'a sweep goes by when each tombstone was last left: a task stopped again keeps its tombstone, and does not hold back older ones',
  { timeout: 10_000 },
  async () => {
    const { worker, context, beat } = startWorker({ ms: HOUR, max: 100 });
    const first = Date.now() + 120_000 - T0;
    const MINUTE = 60_000;
    worker.send({ type: 'task.stop', id: 'a', placement: 'm.1', at: at(first) });
    worker.send({ type: 'task.stop', id: 'b', placement: 'm.2', at: at(first + 10 * MINUTE) });
    worker.send({ type: 'task.stop', id: 'a', placement: 'm.3', at: at(first + 20 * MINUTE) });
    beat(first + HOUR + 15 * MINUTE);
    assert.equal(context().tombstones.has('b'), false, 'b was stopped more than an hour ago');
    assert.deepEqual(context().tombstones.get('a'), ['m.1', 'm.3'], 'a was stopped again 55 minutes ago');
    beat(first + HOUR + 21 * MINUTE);
    assert.equal(context().tombstones.has('a'), false);
  },
);

test('restored tombstones of a task the worker has go with it, not by their time; those of others by their time', { timeout: 10_000 }, () => {
  const now = Date.now() - T0; // the worker's first heartbeat is its start's, by the real clock
  const { context } = startWorker(
    { ms: HOUR, max: 100 },
    {
      done: DoneTasks.of([{ ID: 'done', Worker: 'w1', Placement: 'm.2', SubmitTime: at(now), FinishTime: at(now), Version: 3 }]),
      tombstones: [
        { id: 'done', placement: 'm.1', at: at(now) },
        { id: 'stranger', placement: 'm.5', at: at(now) },
      ],
    },
  );
  assert.deepEqual([...context().buried.keys()], ['stranger'], 'only a tombstone of a task it does not have is swept by its time');
  assert.deepEqual(context().tombstones.get('done'), ['m.1'], 'kept: a late run of m.1 is still refused');
});

test(
  'a listing after a version has only what changed, and names every task the worker holds; one after a version it never reached has everything',
  { timeout: 10_000 },
  async () => {
    const { worker, context } = startWorker({ ms: Infinity, max: Infinity });
    worker.send({ type: 'task.run', task: task('old', { Placement: 'm.1' }), at: at(0) });
    worker.send({ type: 'task.run', task: task('ended', { Placement: 'm.2' }), at: at(0) });
    await until(worker, () => context().tasks.get('old')?.State === 2 && context().tasks.get('ended')?.State === 2);
    const version = context().seq;
    worker.send({ type: 'task.run', task: task('new', { Placement: 'm.3' }), at: at(1) });
    worker.send({ type: 'task.stop', id: 'ended', placement: 'm.2', at: at(1) });
    await until(worker, () => context().tasks.get('new')?.State === 2 && context().done.has('ended'));

    const changes = listing(context(), version, at(2));
    assert.deepEqual(
      changes.tasks.map((t) => t.ID),
      ['new'],
    );
    assert.deepEqual(
      changes.done?.map((d) => [d.ID, d.Placement]),
      [['ended', 'm.2']],
      'a Completed one is named, without its record',
    );
    assert.deepEqual(changes.held?.map((h) => [h.ID, h.StateName]).sort(), [
      ['new', 'running'],
      ['old', 'running'],
    ]);
    assert.equal(changes.version, context().seq);

    const everything = listing(context(), context().seq + 1, at(2));
    assert.equal(everything.held, undefined, 'a full listing');
    assert.deepEqual(everything.tasks.map((t) => t.ID).sort(), ['new', 'old']);
    assert.deepEqual(listing(context(), context().seq, at(2)).tasks, [], 'nothing changed since the newest version');
  },
);

test('a repeated snapshot of a task actor that changes nothing is neither saved nor reported', { timeout: 10_000 }, async () => {
  const { worker, context, reports } = startWorker({ ms: Infinity, max: Infinity });
  worker.send({ type: 'task.run', task: task('a', { Placement: 'm.1' }), at: at(0) });
  await until(worker, () => context().tasks.get('a')?.State === 2);
  const record = context().tasks.get('a')!;
  const count = reports.filter((r) => r.type === 'task.updated').length;
  worker.send({ type: 'task.changed', task: { ...record, Version: 1 } });
  assert.equal(reports.filter((r) => r.type === 'task.updated').length, count);
  assert.equal(context().tasks.get('a'), record);
});
