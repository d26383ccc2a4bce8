// Retention of finished tasks (docs/architecture.md §7, "Retention"): the
// words the manager and the worker share; machines/retention.ts has the rules.
// A task is finished when it is Completed, or Failed for good (StateName
// `failed`: no restart waits). A
// finished task is kept for a retention period and up to a number of them,
// then a sweep removes it from memory and from the store. A Completed
// record is final, so a process keeps only a few of its keys in memory (a
// DoneTask) and reads the record from its store when someone asks for it.

export interface Retention {
  /** How long a finished task is kept after it finished (CUBE_RETENTION). */
  ms: number;
  /** How many finished tasks are kept at most (CUBE_RETENTION_MAX); the oldest go first. */
  max: number;
}

/** Keeps everything: for processes and tests that do not prune. */
export const KEEP_ALL: Retention = { ms: Infinity, max: Infinity };

/** What a process keeps in memory of a Completed task; the record itself is in its store. */
export interface DoneTask {
  ID: string;
  Worker: string;
  Placement: string;
  SubmitTime: string;
  FinishTime: string;
  /** The version of the record's last change, where it is kept. */
  Version: number;
}
