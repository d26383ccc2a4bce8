// The shapes the manager and the schedulers share: what a worker's tasks hold,
// a worker offered for placement, and the answer. Kept apart from the
// algorithms so the manager can depend on the contract without the maths.
import type { Labels } from './labels.js';
import type { WorkerStats } from './protocol.js';
import type { Task } from './task.js';

/** What the manager's records say a worker's tasks hold. nominal* count a task that asks nothing as asking a little (see nominalDemand). */
export interface Held {
  cpu: number;
  memory: number;
  disk: number;
  tasks: number;
  nominalCpu: number;
  nominalMemory: number;
}

/** A worker offered for placement: its latest stats and what Cube has already put on it. */
export interface Candidate {
  name: string;
  stats: WorkerStats;
  held: Held;
  /** Its labels: its own, with the operator's edits (none when left out). */
  labels?: Labels;
  /** Why it takes no tasks now, in a word or two ("down", "suspect", "not heard from yet", "draining" for a drained worker); left out when it does. */
  unavailable?: string;
  /** What went wrong with it as the manager last heard ("no heartbeat for 16 s"), when it is unavailable and that is known. */
  problem?: string;
  /** How many copies of the task's service it holds (a service's copy only). */
  copies?: number;
  /** The task's named volumes the manager remembers on it (where a task that mounted them last went); left out when none. */
  volumes?: readonly string[];
}

export type Placement =
  /** reason: one human line on why this worker, e.g. "lowest E-PVM cost 0.0123 (w2 0.0201, w3 0.0220)". */
  | { worker: string; reason: string; memo: unknown }
  /** reason: counts why each worker was filtered out (src/scheduler/pipeline.ts). */
  | { worker: null; reason: string; memo: unknown };

/**
 * A placement policy. `pick` is pure: the same task, candidates and memo give
 * the same answer. `memo` is the scheduler's own state between picks (the
 * manager keeps it and passes back the one it last received).
 */
export interface Scheduler {
  readonly name: 'roundrobin' | 'epvm';
  pick(task: Task, candidates: readonly Candidate[], memo: unknown): Placement;
}
