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
import { WorkerWrites } from '../../src/worker/writes.js';
import { startManagerActor } from '../helpers/manager-actor.js';
import { memoryWorker, someStats } from '../helpers/memory-worker.js';

const HOUR = 3_600_000;
const running: { stop(): unknown }[] = [];
afterEach(() => running.splice(0).forEach((actor) => actor.stop()));

/** A manager and its worker w1 (keeping no finished task beyond the count: 0), over a link that `cut` drops both ways. */
function cluster(restore?: Parameters<typeof createActor<WorkerMachine>>[1]) {
  const { runtime, logic } = memoryWorker(new WorkerWrites(new MemoryTaskStore(), 'w1', silentLog));
  const policy = { restartLimit: 0, restartDelayMs: 0, restartDelayMaxMs: 0, healthFailures: 3 };
  const worker: Actor<WorkerMachine> = createActor(logic, restore ?? { input: { name: 'w1', policy, retention: { ms: HOUR, max: 0 } } });
  let linked = true;
  const proxy = fromCallback<ToWorker, { name: string }>(({ sendBack, receive }) => {
    receive((message) => linked && worker.send(message));
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
    cut: (down: boolean) => void (linked = !down),
    /** The worker's heartbeat `ms` after now: its clock, which drives its sweeps. */
    beat: (ms: number) => worker.send({ type: 'stats.sampled', stats: someStats, at: new Date(Date.now() + ms).toISOString() }),
    /** The manager's sync of w1, as its reconcile sends it. */
    sync: () => worker.send({ type: 'worker.sync', at: new Date().toISOString(), since: manager.getSnapshot().context.book.heard.get('w1') ?? 0 }),
  };
}

test('a task that failed for good while its worker was cut off is not pruned before its manager hears, and is never run again', async () => {
  const { manager, worker, runtime, cut, beat, sync } = cluster();
  manager.send({ type: 'task.submit', task: newTask({ ID: 'a', Name: 'a', Image: 'img' }), at: new Date().toISOString() });
  const book = () => manager.getSnapshot().context.book;
  await waitFor(manager, () => book().tasks.get('a')?.StateName === 'running', { timeout: 5000 });
  const placement = book().tasks.get('a')!.Placement;

  cut(true);
  runtime.exit('a', 1); // no restart left: Failed for good, and the report is lost
  await waitFor(worker, (s) => s.context.tasks.get('a')?.StateName === 'failed', { timeout: 5000 });
  beat(2 * 60_000); // a sweep: over the maximum count (0)
  assert.equal(worker.getSnapshot().context.tasks.get('a')?.StateName, 'failed', 'kept: its manager has not heard it finished');

  cut(false);
  sync();
  assert.equal(book().tasks.get('a')?.StateName, 'failed', 'the sync told the manager');
  assert.equal(book().tasks.get('a')?.Placement, placement);
  assert.equal([...runtime.containers.values()].filter((c) => c.taskId === 'a' && c.running).length, 0, 'and nothing runs it again');

  sync(); // now the manager has heard it: the next sweep prunes it
  beat(4 * 60_000);
  assert.equal(worker.getSnapshot().context.tasks.has('a'), false);
});
