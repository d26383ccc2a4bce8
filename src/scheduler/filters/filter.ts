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
  /** Volume → the worker offered that holds it, for each of the task's named volumes some worker holds (Candidate.volumes). */
  homes: ReadonlyMap<string, string>;
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

export interface Rejected {
  candidate: Candidate;
  rejection: Rejection;
}

export interface Filter {
  /** A word for docs, tests and the simulator's planted mistakes: available, engine, volumes, constraints, protocol, binds, resources. */
  readonly name: string;
  check(ask: Ask, candidate: Candidate): Rejection | undefined;
  /**
   * When no worker is left: the task's whole reason, for a filter that ties
   * the task to one worker and says better than the counts why it waits for
   * it ("waiting for worker w2, which holds its volume pgdata: …"); undefined
   * leaves the reason to the counts.
   */
  waiting?(ask: Ask, rejected: readonly Rejected[]): string | undefined;
}
