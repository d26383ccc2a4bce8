// Retention meets a partition (issue 13 with the faults of issue 8): a task
// fails for good on a worker cut off from its manager, its report is lost, and
// the worker's sweep would prune it by the count before the manager hears. The
// manager and the worker are the real machines, over a link the test can cut;
// the worker runs on MemoryRuntime (an in-memory stand-in: no Docker).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, waitFor, type Actor } from 'xstate';
import type { WorkerMachine } from '../../machines/worker.js';
import { silentLog } from '../../src/log.js';
import { MemoryTaskStore } from '../../src/store/task-store.js';
import type { FromWorker, ToWorker } from '../../src/vocabulary/protocol.js';
import { newTask } from '../../src/vocabulary/task.js';
import { WorkerWrites } from '../../src/store/worker-writes.js';
import { startManagerActor } from '../helpers/manager-actor.js';
import { memoryWorker, someStats } from '../helpers/memory-worker.js';

const HOUR = 3_600_000;
const running: { stop(): unknown }[] = [];
afterEach(() => running.splice(0).forEach((actor) => actor.stop()), { timeout: 20_000 });

/** A manager and its worker w1 (keeping no finished task beyond the count: 0), over a link that `cut` drops both ways. */
function cluster() {
  const { runtime, logic } = memoryWorker(new WorkerWrites(new MemoryTaskStore(), 'w1', silentLog));
  const policy = { restartLimit: 0, restartDelayMs: 0, restartDelayMaxMs: 0, healthFailures: 3 };
  const worker: Actor<WorkerMachine> = createActor(logic, { input: { name: 'w1', policy, retention: { ms: HOUR, max: 0 } } });
  let linked = true;
  const sent: ToWorker[] = [];
  const proxy = fromCallback<ToWorker, { name: string }>(({ sendBack, receive }) => {
    receive((message) => {
      sent.push(message);
      if (linked) worker.send(message);
    });
    const reports = worker.on('*', (message) => linked && sendBack(message as FromWorker));
    return () => reports.unsubscribe();
  });
  worker.start();
  const { actor: manager } = startManagerActor({ proxy, worker: 'w1' });
  running.push(manager, worker);
  return {
    manager,
    worker,
    runtime,
    /** Every message the manager sent w1, delivered or not. */
    sent,
    cut: (down: boolean) => void (linked = !down),
    /** The worker's heartbeat `ms` after now: its clock, which drives its sweeps. */
    beat: (ms: number) => worker.send({ type: 'stats.sampled', stats: someStats, at: new Date(Date.now() + ms).toISOString() }),
    /** The manager's sync of w1, as its reconcile sends it. */
    sync: () => worker.send({ type: 'worker.sync', at: new Date().toISOString(), since: manager.getSnapshot().context.ledger.heard.get('w1') ?? 0 }),
  };
}

test(
  'a task that failed for good while its worker was cut off is not pruned before its manager hears, and is never run again',
  { timeout: 10_000 },
  async () => {
    const { manager, worker, runtime, cut, beat, sync } = cluster();
    manager.send({ type: 'task.submit', task: newTask({ ID: 'a', Name: 'a', Image: 'img' }), at: new Date().toISOString() });
    const ledger = () => manager.getSnapshot().context.ledger;
    await waitFor(manager, () => ledger().tasks.get('a')?.StateName === 'running', { timeout: 5000 });
    const placement = ledger().tasks.get('a')!.Placement;

    cut(true);
    runtime.exit('a', 1); // no restart left: Failed for good, and the report is lost
    await waitFor(worker, (s) => s.context.tasks.get('a')?.StateName === 'failed', { timeout: 5000 });
    beat(2 * 60_000); // a sweep: over the maximum count (0)
    assert.equal(worker.getSnapshot().context.tasks.get('a')?.StateName, 'failed', 'kept: its manager has not heard it finished');

    cut(false);
    sync();
    assert.equal(ledger().tasks.get('a')?.StateName, 'failed', 'the sync told the manager');
    assert.equal(ledger().tasks.get('a')?.Placement, placement);
    assert.equal([...runtime.containers.values()].filter((c) => c.taskId === 'a' && c.running).length, 0, 'and nothing runs it again');

    sync(); // now the manager has heard it: the next sweep prunes it
    beat(4 * 60_000);
    assert.equal(worker.getSnapshot().context.tasks.has('a'), false);
  },
);

test(
  'a duplicate run that reaches a worker after it pruned a task that failed for good is a stale copy: stopped, and the task stays Failed',
  { timeout: 10_000 },
  async () => {
    const { manager, worker, runtime, sent, beat, sync } = cluster();
    manager.send({ type: 'task.submit', task: newTask({ ID: 'a', Name: 'a', Image: 'img' }), at: new Date().toISOString() });
    const ledger = () => manager.getSnapshot().context.ledger;
    await waitFor(manager, () => ledger().tasks.get('a')?.StateName === 'running', { timeout: 5000 });
    runtime.exit('a', 1);
    await waitFor(manager, () => ledger().tasks.get('a')?.StateName === 'failed', { timeout: 5000 });
    sync(); // the manager has heard it: the worker's next sweep prunes it
    beat(2 * 60_000);
    assert.equal(worker.getSnapshot().context.tasks.has('a'), false, 'pruned by the worker');

    const run = sent.find((m) => m.type === 'task.run')!;
    worker.send(run); // the same run again, late (a retry that took the long way)
    await waitFor(worker, (s) => s.context.tasks.get('a')?.StateName === 'completed' || s.context.done.has('a'), { timeout: 5000 });
    assert.equal(ledger().tasks.get('a')?.StateName, 'failed', 'the task stays Failed');
    assert.ok(
      ledger().log.some((e) => e.Type === 'Stale Copy Stopped' && e.Task === 'a'),
      'the manager says it stopped the copy',
    );
    assert.equal([...runtime.containers.values()].filter((c) => c.taskId === 'a' && c.running).length, 0, 'nothing runs it');
  },
);

test('a task that failed for good runs again when the user restarts it: its new placement is no stale copy', { timeout: 10_000 }, async () => {
  const { manager, runtime } = cluster();
  const a = newTask({ ID: 'a', Name: 'a', Image: 'img' });
  manager.send({ type: 'task.submit', task: a, at: new Date().toISOString() });
  const ledger = () => manager.getSnapshot().context.ledger;
  await waitFor(manager, () => ledger().tasks.get('a')?.StateName === 'running', { timeout: 5000 });
  const first = ledger().tasks.get('a')!.Placement;
  runtime.exit('a', 1);
  await waitFor(manager, () => ledger().tasks.get('a')?.StateName === 'failed', { timeout: 5000 });
  manager.send({ type: 'task.submit', task: a, at: new Date().toISOString() }); // POST it again: a restart
  await waitFor(manager, () => ledger().tasks.get('a')?.StateName === 'running', { timeout: 5000 });
  assert.notEqual(ledger().tasks.get('a')!.Placement, first, 'running as its new placement');
  assert.equal(ledger().log.filter((e) => e.Type === 'Stale Copy Stopped').length, 0);
});
