// Placing queued tasks (docs/spec.md §2 Pending → Scheduled, or → Failed when no
// worker fits). Only workers that are up and not draining take tasks; with none up, tasks wait
// in the queue, saying why, until one is.
import type { Candidate } from '../../src/vocabulary/scheduler.js';
import { TaskState, type Task } from '../../src/vocabulary/task.js';
import { newPlacementId } from '../../src/vocabulary/placement.js';
import { spread } from './spread.js';
import { volumePlacement, type VolumeWorker } from './volume-placement.js';
import { volumeNames } from '../../src/vocabulary/mounts.js';
import { note, setRecord, type Ledger, type Effects, type PlacementPolicy } from './ledger.js';

function candidates(ledger: Ledger): Candidate[] {
  const up: Candidate[] = [];
  for (const worker of ledger.workers.values()) {
    if (worker.state === 'up' && worker.stats && !worker.draining) up.push({ name: worker.name, stats: worker.stats, held: worker.held });
  }
  return up;
}

/** The workers as the volume rule sees them. */
const volumeWorkers = (ledger: Ledger): VolumeWorker[] =>
  [...ledger.workers.values()].map((w) => ({
    name: w.name,
    state: w.state,
    draining: w.draining,
    problem: w.problem,
    roots: w.stats?.VolumeRoots ?? [],
    protocol: w.stats?.Protocol,
  }));

/** Why a task waits: no worker is up, and what each one is doing. */
export function waitingReason(ledger: Ledger): string {
  if (ledger.workers.size === 0)
    return 'waiting for a worker: the manager has none (start workers with cube worker --join MANAGER, or the manager with --workers host:port,…)';
  const states = [...ledger.workers.values()].map((w) => `${w.name} ${w.draining ? 'draining' : w.state}${w.problem ? ` (${w.problem})` : ''}`);
  return `waiting for a worker to be up: ${states.join('; ')}`;
}

export function placeQueued(ledger: Ledger, policy: PlacementPolicy, at: string, fx: Effects): void {
  if (ledger.queue.size === 0) return;
  const pool = candidates(ledger);
  if (pool.length === 0) return;
  for (const taskId of ledger.queue) {
    const task = ledger.tasks.get(taskId)!;
    // Volumes first: a task goes back to the worker that holds its volume, or waits for it (machines/manager/volume-placement.ts).
    const verdict = volumePlacement(task, volumeWorkers(ledger), ledger.volumes);
    const only = 'wait' in verdict ? undefined : verdict.only;
    const allowed = only ? pool.filter((c) => only.has(c.name)) : pool;
    if ('wait' in verdict || allowed.length === 0) {
      const why = 'wait' in verdict ? verdict.wait : waitingReason(ledger);
      if (task.Reason !== why) setRecord(ledger, policy, note({ ...task, Reason: why }, at, 'Waiting', why), fx);
      continue;
    }
    const placement = policy.scheduler.pick(task, spread(ledger, task, allowed), ledger.memo);
    ledger.memo = placement.memo;
    ledger.queue.delete(taskId);
    if (placement.worker === null) {
      const failed: Task = { ...task, State: TaskState.Failed, StateName: 'failed', FinishTime: at, Reason: placement.reason };
      setRecord(ledger, policy, note(failed, at, 'Not Placed', placement.reason), fx);
      continue;
    }
    const worker = placement.worker;
    // A new placement: its ID is the version this change gets, so it is unique without a random draw.
    const id = newPlacementId(ledger.incarnation, ledger.seq + 1);
    const placed: Task = { ...task, State: TaskState.Scheduled, StateName: 'scheduled', Worker: worker, Reason: '', Placement: id };
    const sent = setRecord(ledger, policy, note(placed, at, 'Placed', `placed on worker ${worker} as placement ${id}: ${placement.reason}`), fx);
    for (const volume of volumeNames(task.Mounts)) ledger.volumes.set(volume, worker);
    // The next pick in this round must see what this one now holds.
    const index = pool.findIndex((c) => c.name === worker);
    pool[index] = { ...pool[index]!, held: ledger.workers.get(worker)!.held };
    fx.send(worker, { type: 'task.run', task: sent, at });
  }
}
