// The worker actor with its shards and task actors, over MemoryRuntime (an
// in-memory stand-in: no Docker, no network). Waits react to snapshots; there
// are no sleeps.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import type { TaskPolicy } from '../../machines/task.js';
import type { WorkerMachine } from '../../machines/worker.js';
import type { FromWorker } from '../../src/vocabulary/protocol.js';
import { MemoryRuntime } from '../../src/runtime/memory.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { workerLogic } from '../../src/worker/logic.js';
import { silentLog } from '../../src/log.js';
import { MemoryTaskStore } from '../../src/store/task-store.js';
import { WorkerWrites } from '../../src/store/worker-writes.js';
import { latestReported } from '../helpers/reported.js';

const policy: TaskPolicy = { restartLimit: 2, restartDelayMs: 0, restartDelayMaxMs: 0, healthFailures: 3 };
const at = () => new Date().toISOString();

/** Actors a test started: stopped after it, even when an assertion failed (their timers would keep the run alive). */
const running: { stop(): unknown }[] = [];
afterEach(() => running.splice(0).forEach((actor) => actor.stop()), { timeout: 20_000 });

function startWorker(runtime: MemoryRuntime, restore: Task[] = [], writes = new WorkerWrites(new MemoryTaskStore(), 'test', silentLog)) {
  const logic = workerLogic(() => runtime, {
    health: { intervalMs: 1000, timeoutMs: 100 },
    reconcileIntervalMs: 60_000,
    statsIntervalMs: 60_000,
    sampleStats: () => ({ MemoryTotal: 1, MemoryAvailable: 1, DiskTotal: 1, DiskFree: 1, CpuUsage: 0, CpuCount: 1, LoadAverage: [0, 0, 0] }),
    writes: () => writes,
    log: silentLog,
  });
  const worker = createActor(logic, { input: { name: 'w1', policy, shardCapacity: 2, restore } });
  const reports: FromWorker[] = [];
  worker.on('*', (event) => reports.push(event as FromWorker));
  latestReported(worker);
  worker.start();
  running.push(worker);
  return { worker, reports };
}

const task = (id: string, fields: Partial<Task> = {}) => newTask({ ID: id, Name: `n-${id}`, Image: 'img', ...fields });
const record = (worker: Actor<WorkerMachine>, id: string) => worker.getSnapshot().context.tasks.get(id) ?? latestReported(worker).get(id);
const until = (worker: Actor<WorkerMachine>, id: string, ok: (t: Task) => boolean) =>
  waitFor(
    worker,
    (s) => {
      const t = s.context.tasks.get(id) ?? latestReported(worker).get(id);
      return t !== undefined && ok(t);
    },
    { timeout: 5000 },
  );
const shardChildren = (worker: Actor<WorkerMachine>) =>
  Object.values(worker.getSnapshot().children).reduce(
    (sum, child) => sum + Object.keys((child?.getSnapshot() as { children?: object } | undefined)?.children ?? {}).length,
    0,
  );

test('a task sent to the worker is Scheduled at once and Running once its container starts', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  const { worker, reports } = startWorker(runtime);
  worker.send({ type: 'task.run', task: task('a'), at: at() });
  assert.equal(record(worker, 'a')?.StateName, 'scheduled', 'the record is there as soon as send returns');
  await until(worker, 'a', (t) => t.State === 2);
  assert.ok(record(worker, 'a')!.ContainerID.startsWith('mem'));
  const states = reports.filter((r) => r.type === 'task.updated').map((r) => (r as { task: Task }).task.StateName);
  assert.deepEqual(states, ['scheduled', 'running'], 'the instant of Pending on the worker is not reported');
  worker.stop();
});

test('each report of a change is dated by its newest fact, so a manager in the same process dates it so', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  const { worker, reports } = startWorker(runtime);
  worker.send({ type: 'task.run', task: task('a'), at: at() });
  await until(worker, 'a', (t) => t.State === 2);
  const updates = reports.filter((r): r is Extract<FromWorker, { type: 'task.updated' }> => r.type === 'task.updated');
  assert.equal(updates.length, 2);
  for (const update of updates) assert.equal(update.at, update.task.Events.at(-1)!.Time, `the ${update.task.StateName} report`);
});

test('a repeated run of a task on its way changes nothing; a run of a Running task restarts it', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  const { worker } = startWorker(runtime);
  worker.send({ type: 'task.run', task: task('a'), at: at() });
  worker.send({ type: 'task.run', task: task('a'), at: at() });
  await until(worker, 'a', (t) => t.State === 2);
  assert.equal(runtime.containers.size, 1);
  const first = record(worker, 'a')!.ContainerID;
  worker.send({ type: 'task.run', task: task('a'), at: at() });
  await until(worker, 'a', (t) => t.State === 2 && t.ContainerID !== first);
  assert.equal(runtime.containers.size, 1, 'the restart replaced the container');
  worker.stop();
});

test('stop completes the task, removes its container and drops its actor', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  const { worker } = startWorker(runtime);
  worker.send({ type: 'task.run', task: task('a'), at: at() });
  await until(worker, 'a', (t) => t.State === 2);
  assert.equal(shardChildren(worker), 1);
  worker.send({ type: 'task.stop', id: 'a', placement: '', at: at() });
  await until(worker, 'a', (t) => t.State === 3);
  assert.equal(runtime.containers.size, 0);
  assert.equal(shardChildren(worker), 0, 'no actor is kept for a Completed task');
  assert.equal(worker.getSnapshot().context.active, 0);
  worker.stop();
});

test(
  'a shard that has run its lifetime of task actors is stopped once its last task completes; later tasks go to new shards',
  { timeout: 10_000 },
  async () => {
    const runtime = new MemoryRuntime();
    const { worker } = startWorker(runtime); // shards of 2, so each runs 2 task actors in its life
    const shards = () => Object.keys(worker.getSnapshot().children).filter((id) => id.startsWith('shard-'));
    for (let i = 0; i < 6; i++) {
      worker.send({ type: 'task.run', task: task(`t${i}`), at: at() });
      await until(worker, `t${i}`, (t) => t.State === 2);
      worker.send({ type: 'task.stop', id: `t${i}`, placement: '', at: at() });
      await until(worker, `t${i}`, (t) => t.State === 3);
    }
    assert.deepEqual(shards(), [], 'every shard has retired or is empty and gone');
    worker.send({ type: 'task.run', task: task('late'), at: at() });
    await until(worker, 'late', (t) => t.State === 2);
    assert.deepEqual(shards(), ['shard-3'], 'shards 0 to 2 ran 2 task actors each and were stopped');
    assert.equal(shardChildren(worker), 1);
    worker.stop();
  },
);

test('commands that cannot apply are refused with a reason', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  const { worker, reports } = startWorker(runtime);
  worker.send({ type: 'task.stop', id: 'ghost', placement: '', at: at(), requestId: 'r1' });
  worker.send({ type: 'task.run', task: task('a'), at: at() });
  worker.send({ type: 'task.stop', id: 'a', placement: '', at: at() });
  await until(worker, 'a', (t) => t.State === 3);
  worker.send({ type: 'task.run', task: task('a'), at: at(), requestId: 'r2' });
  worker.send({ type: 'task.stop', id: 'a', placement: '', at: at(), requestId: 'r3' });
  const refusals = reports.filter((r) => r.type === 'task.refused') as Extract<FromWorker, { type: 'task.refused' }>[];
  assert.deepEqual(
    refusals.map((r) => [r.requestId, r.reason]),
    [
      ['r1', 'no task ghost on worker w1'],
      ['r2', 'task a is completed, which is final; POST it with a new ID to run it again'],
      ['r3', 'task a is completed, which is final; POST it with a new ID to run it again'],
    ],
  );
  worker.stop();
});

test('a container that exits makes the task Failed with its exit code, then it is restarted', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  const { worker, reports } = startWorker(runtime);
  worker.send({ type: 'task.run', task: task('a'), at: at() });
  await until(worker, 'a', (t) => t.State === 2);
  runtime.exit('a', 3);
  await until(worker, 'a', (t) => t.State === 2 && t.RestartCount === 1);
  const failed = reports.find((r) => r.type === 'task.updated' && r.task.State === 4) as { task: Task };
  assert.equal(failed.task.ExitCode, 3);
  runtime.exit('a', 3);
  await until(worker, 'a', (t) => t.RestartCount === 2 && t.State === 2);
  runtime.exit('a', 3);
  const halted = await until(worker, 'a', (t) => t.State === 4 && t.StateName === 'failed');
  assert.match(halted.context.tasks.get('a')!.Events.at(-1)!.Message, /restart limit reached \(2 of 2/);
  worker.stop();
});

test('a failed start is reported with its reason', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  runtime.failStart = () => 'image "nope" is not on this worker';
  const { worker } = startWorker(runtime);
  worker.send({ type: 'task.run', task: task('a', { RestartPolicy: 'on-failure' }), at: at() });
  const snapshot = await until(worker, 'a', (t) => t.StateName === 'failed');
  assert.match(snapshot.context.tasks.get('a')!.Reason, /failed to start: image "nope"/);
  worker.stop();
});

test('the reconcile finds a container that vanished while nobody listened', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  const { worker } = startWorker(runtime);
  worker.send({ type: 'task.run', task: task('a', { RestartPolicy: 'on-failure' }), at: at() });
  await until(worker, 'a', (t) => t.State === 2);
  runtime.vanish('a'); // removed behind Cube's back, with no event
  worker.send({ type: 'runtime.connected', at: at() });
  const snapshot = await until(worker, 'a', (t) => t.RestartCount === 1 && t.State === 2);
  assert.ok(snapshot.context.tasks.get('a')!.Events.some((e) => /disappeared/.test(e.Message)));
  worker.stop();
});

test('a worker restored from records adopts running containers and resumes restarts', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  const first = startWorker(runtime);
  first.worker.send({ type: 'task.run', task: task('a'), at: at() });
  await until(first.worker, 'a', (t) => t.State === 2);
  const saved = [...first.worker.getSnapshot().context.tasks.values()];
  first.worker.stop(); // as if killed: the container keeps running

  const { worker } = startWorker(runtime, [...saved, task('done', { State: 3, StateName: 'completed' })]);
  assert.equal(record(worker, 'a')?.State, 2);
  assert.equal(shardChildren(worker), 1, 'a Completed record gets no actor');
  runtime.exit('a', 1);
  await until(worker, 'a', (t) => t.RestartCount === 1 && t.State === 2);
  assert.equal(runtime.containers.size, 1);
  worker.stop();
});

test('a worker refuses a second task with the name of one not Completed', { timeout: 10_000 }, async () => {
  const runtime = new MemoryRuntime();
  const { worker, reports } = startWorker(runtime);
  worker.send({ type: 'task.run', task: task('a', { Name: 'web' }), at: at() });
  worker.send({ type: 'task.run', task: task('b', { Name: 'web' }), at: at(), requestId: 'r' });
  const refusal = reports.find((r) => r.type === 'task.refused') as Extract<FromWorker, { type: 'task.refused' }>;
  assert.equal(refusal.requestId, 'r');
  assert.match(refusal.reason, /the name "web" is used by task a/);
  assert.equal(record(worker, 'b'), undefined);
  worker.stop();
});

test('a task sent to a worker is stamped with when it was accepted, unless a manager already did', { timeout: 10_000 }, () => {
  const { worker } = startWorker(new MemoryRuntime());
  worker.send({ type: 'task.run', task: task('fresh'), at: '2026-01-01T00:00:05Z' });
  worker.send({ type: 'task.run', task: task('placed', { SubmitTime: '2026-01-01T00:00:01Z' }), at: '2026-01-01T00:00:05Z' });
  assert.equal(record(worker, 'fresh')!.SubmitTime, '2026-01-01T00:00:05Z');
  assert.equal(record(worker, 'placed')!.SubmitTime, '2026-01-01T00:00:01Z');
});
