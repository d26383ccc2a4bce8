// One step of placement's filter pipeline (src/scheduler/pipeline.ts): a
// filter looks at one worker for one task and says why it cannot take it, or
// nothing. Each filter is a module of its own in this folder, listed in
// index.ts; adding a rule of placement is adding one.
import type { Constraint } from '../../vocabulary/constraint.js';
import type { Candidate } from '../../vocabulary/scheduler.js';
import type { Task } from '../../vocabulary/task.js';

/** What is being placed: the task, with what it asks read once per pick. */
export interface Ask {
  task: Task;
  constraints: readonly Constraint[];
}

/**
 * Why a worker was filtered out. `group` is counted across workers ("filtered
 * by zone==a", "short of memory"); `detail`, when given, says it for this
 * worker with the numbers ("w3 has 2 GiB of 8 GiB memory unreserved, the task asks 6 GiB").
 */
export interface Rejection {
  group: string;
  detail?: string;
}

export interface Filter {
  /** A word for docs and tests: available, engine, protocol, constraints, resources. */
  readonly name: string;
  check(ask: Ask, candidate: Candidate): Rejection | undefined;
}
