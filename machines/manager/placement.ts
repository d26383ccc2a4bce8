// Placing queued tasks (docs/spec.md §2 Pending → Scheduled). Every worker is
// offered to the scheduler, each with what the filters need: whether it takes
// tasks now (up and not draining), its labels, its held resources and, for
// the task at hand, which of its named volumes the worker holds (ledger.volumes)
// and, for a service's copy, how many copies it holds. A task no worker can take stays
// Pending, its Reason counting why (src/scheduler/pipeline.ts), and is tried
// again whenever something that could change the answer happens: a worker
// joins, comes up, is relabelled or undrained, or a task frees what it held.
import type { Candidate } from '../../src/vocabulary/scheduler.js';
import type { WorkerStats } from '../../src/vocabulary/protocol.js';
import { effectiveLabels, type Labels } from '../../src/vocabulary/labels.js';
import { TaskState, type Task } from '../../src/vocabulary/task.js';
import { newPlacementId } from '../../src/vocabulary/placement.js';
import { volumeNames } from '../../src/vocabulary/mounts.js';
import { holds, note, setRecord, type Ledger, type Effects, type PlacementPolicy, type WorkerEntry } from './ledger.js';

/** The stats of a worker not heard from yet: it is filtered out as unavailable before they are read. */
const NO_STATS: WorkerStats = {
  Worker: '',
  MemoryTotal: 0,
  MemoryAvailable: 0,
  DiskTotal: 0,
  DiskFree: 0,
  CpuUsage: 0,
  CpuCount: 0,
  LoadAverage: [0, 0, 0],
  TaskCount: 0,
  Runtime: 'up',
  RuntimeProblem: '',
};

/** A worker's labels: those it declares (its heartbeat carries them), with the operator's edits over them. */
export const labelsOf = (worker: WorkerEntry): Labels => effectiveLabels(worker.stats?.Labels ?? {}, worker.labelEdits);

/** Why a worker takes no tasks now, or undefined when it does. */
function unavailable(worker: WorkerEntry): string | undefined {
  if (worker.state !== 'up' || !worker.stats) return worker.state === 'unknown' ? 'not heard from yet' : worker.state;
  return worker.draining ? 'draining' : undefined;
}

function candidates(ledger: Ledger): Candidate[] {
  return [...ledger.workers.values()].map((worker) => {
    const why = unavailable(worker);
    const problem = why && worker.problem ? { problem: worker.problem } : {};
    return {
      name: worker.name,
      stats: worker.stats ?? NO_STATS,
      held: worker.held,
      labels: labelsOf(worker),
      ...(why ? { unavailable: why, ...problem } : {}),
    };
  });
}

/** The copies of `task`'s service on `worker`, but `task` itself. */
function copiesOn(ledger: Ledger, task: Task, worker: string): number {
  let n = 0;
  for (const id of ledger.placed.get(worker) ?? []) {
    const other = ledger.tasks.get(id);
    if (other !== undefined && other.ID !== task.ID && other.Service === task.Service && holds(other)) n++;
  }
  return n;
}

/** `pool` as offered for `task`: with which of its volumes each worker holds and, for a service's copy, how many copies. */
function offered(ledger: Ledger, task: Task, pool: readonly Candidate[]): readonly Candidate[] {
  const volumes = volumeNames(task.Mounts);
  if (task.Service === '' && volumes.length === 0) return pool;
  return pool.map((candidate) => {
    const held = volumes.filter((volume) => ledger.volumes.get(volume) === candidate.name);
    return {
      ...candidate,
      ...(task.Service === '' ? {} : { copies: copiesOn(ledger, task, candidate.name) }),
      ...(held.length > 0 ? { volumes: held } : {}),
    };
  });
}

/** After any event: when a task freed what it held, the waiting tasks are tried again (resources that add up free up too). */
export function placeIfRoomFreed(ledger: Ledger, policy: PlacementPolicy, at: string, fx: Effects): void {
  if (ledger.roomFreed) placeQueued(ledger, policy, at, fx);
}

/** Why a task waits when the manager has no worker at all. */
export function waitingReason(ledger: Ledger): string {
  return ledger.workers.size === 0
    ? 'waiting for a worker: the manager has none (start workers with cube worker --join MANAGER, or the manager with --workers host:port,…)'
    : '';
}

/** Records why a task still waits, with a history entry when the reason changed (not at every try). */
function stillWaiting(ledger: Ledger, policy: PlacementPolicy, task: Task, why: string, at: string, fx: Effects): void {
  if (task.Reason === why) return;
  setRecord(ledger, policy, note({ ...task, Reason: why }, at, 'Not Placed', why), fx);
}

export function placeQueued(ledger: Ledger, policy: PlacementPolicy, at: string, fx: Effects): void {
  ledger.roomFreed = false;
  if (ledger.queue.size === 0) return;
  const pool = candidates(ledger);
  for (const taskId of ledger.queue) {
    const task = ledger.tasks.get(taskId)!;
    if (pool.length === 0) {
      stillWaiting(ledger, policy, task, waitingReason(ledger), at, fx);
      continue;
    }
    const placement = policy.scheduler.pick(task, offered(ledger, task, pool), ledger.memo);
    ledger.memo = placement.memo;
    if (placement.worker === null) {
      stillWaiting(ledger, policy, task, placement.reason, at, fx);
      continue;
    }
    ledger.queue.delete(taskId);
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
