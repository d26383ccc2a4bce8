// Is each worker there? A heartbeat (its stats) makes it up. A call that
// fails makes it suspect: it takes no new tasks, but keeps its own. Silence
// past the TTL makes it down, and its tasks are placed again elsewhere. That
// is at-least-once: a worker that was only cut off still runs them, and when
// it is heard again the copies it runs are stopped (machines/manager/mirror.ts).
import type { FromWorker, WorkerStats } from '../../src/vocabulary/protocol.js';
import { TaskState, type StateName } from '../../src/vocabulary/task.js';
import { samePlacement } from '../../src/vocabulary/placement.js';
import { complete, requeue, setRecord, setWorkerState, tasksOn, type Ledger, type Effects, type PlacementPolicy } from './ledger.js';
import { placeQueued } from './placement.js';

const onWorker: ReadonlySet<StateName> = new Set(['scheduled', 'running', 'restarting', 'stopping']);

export function heard(ledger: Ledger, policy: PlacementPolicy, name: string, stats: WorkerStats, at: string, fx: Effects): void {
  const worker = ledger.workers.get(name);
  if (!worker) return;
  worker.stats = stats;
  worker.lastSeen = at;
  if (worker.state !== 'up') {
    fx.note({ Time: at, Type: worker.state === 'unknown' ? 'Worker Up' : 'Worker Back', Message: `worker ${name} answers`, Worker: name });
    setWorkerState(worker, 'up', at, '', fx);
    placeQueued(ledger, policy, at, fx);
  } else {
    fx.workerChanged(worker); // fresh numbers for whoever watches /events
  }
}

export function suspect(ledger: Ledger, name: string, reason: string, at: string, fx: Effects): void {
  const worker = ledger.workers.get(name);
  if (!worker || worker.state === 'down') return;
  if (worker.state !== 'suspect') fx.note({ Time: at, Type: 'Worker Unreachable', Message: `worker ${name}: ${reason}`, Worker: name });
  setWorkerState(worker, 'suspect', at, reason, fx);
}

export function checkLiveness(ledger: Ledger, policy: PlacementPolicy, ttlMs: number, at: string, fx: Effects): void {
  const now = Date.parse(at);
  for (const worker of ledger.workers.values()) {
    if (worker.state === 'down') continue;
    const silentFor = now - Date.parse(worker.lastSeen || ledger.startedAt);
    if (silentFor <= ttlMs) continue;
    const why = `no heartbeat for ${Math.round(silentFor / 1000)} s${worker.problem ? ` (${worker.problem})` : ''}`;
    fx.note({ Time: at, Type: 'Worker Down', Message: `worker ${worker.name}: ${why}`, Worker: worker.name });
    setWorkerState(worker, 'down', at, why, fx);
    for (const task of tasksOn(ledger, worker.name)) {
      if (task.State === TaskState.Completed) continue;
      if (ledger.stopRequested.has(task.ID)) {
        const why = `stopped by user; worker ${worker.name} was lost with it, and is told when it answers again`;
        complete(ledger, policy, task, at, 'Killed', why, fx, false);
      } else if (onWorker.has(task.StateName)) {
        requeue(
          ledger,
          policy,
          task,
          at,
          `worker ${worker.name} was lost (${why}); placing the task again, and stopping the old copy if that worker comes back`,
          fx,
        );
      }
    }
  }
  placeQueued(ledger, policy, at, fx);
}

/** A run or stop did not reach its worker: the worker is suspect, and a run goes elsewhere. */
export function undelivered(ledger: Ledger, policy: PlacementPolicy, message: Extract<FromWorker, { type: 'task.undelivered' }>, fx: Effects): void {
  const { worker, id, placement, command, reason, at } = message;
  suspect(ledger, worker, reason, at, fx);
  const task = ledger.tasks.get(id);
  if (!task || task.Worker !== worker || !samePlacement(task.Placement, placement) || task.State === TaskState.Completed) return;
  if (command === 'task.run' && !ledger.stopRequested.has(id)) {
    requeue(ledger, policy, task, at, `could not reach worker ${worker} to start it (${reason}); placing it again`, fx);
    placeQueued(ledger, policy, at, fx);
  } else if (command === 'task.stop') {
    const why = `stop requested, but worker ${worker} did not answer (${reason}); it is stopped when the worker answers`;
    setRecord(ledger, policy, { ...task, Reason: why }, fx);
  }
}

/**
 * Tasks restored on a worker that is not among this manager's workers (it was
 * started with a shorter list): nobody can reach their copies, so they are
 * placed again, like the tasks of a lost worker, or completed when a stop was asked.
 */
export function adoptOrphans(ledger: Ledger, policy: PlacementPolicy, fx: Effects): void {
  for (const task of [...ledger.tasks.values()]) {
    // A stop of a queued task was stored, and the manager stopped before its end was (a store that writes behind: etcd).
    if (task.StateName === 'pending' && ledger.stopRequested.has(task.ID)) {
      complete(ledger, policy, task, ledger.now, 'Cancelled', 'stopped by user before it was placed', fx);
      continue;
    }
    if (task.Worker === '' || ledger.workers.has(task.Worker) || !onWorker.has(task.StateName)) continue;
    const why = `worker ${task.Worker} is not one of this manager's workers (--workers)`;
    if (ledger.stopRequested.has(task.ID)) complete(ledger, policy, task, ledger.now, 'Killed', `stopped by user; ${why}, so its copy is out of reach`, fx);
    else requeue(ledger, policy, task, ledger.now, `${why}; placing the task again`, fx);
  }
}
