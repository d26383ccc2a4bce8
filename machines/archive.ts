// A worker's history from before its start (docs/architecture.md §7,
// "Retention"): the tasks that were Completed then, and the placements that
// had been stopped, as its store holds them. The worker does not read them
// at start (a start with 50,000 finished tasks would take twice an empty
// one); it asks for one when a command, a report or a sweep names it
// (src/store/worker-archive.ts reads them from SQLite by index). What the
// worker changes after its start is kept in memory, and wins: the worker's
// DoneTasks and Tombstones put the two together.
import type { DoneTask } from '../src/vocabulary/retention.js';

export interface Archive {
  /** How many Completed tasks there were at the start. */
  readonly count: number;
  /** The newest version among them: where the worker's versions continue from. */
  readonly newestVersion: number;
  /** One of them, or undefined. */
  get(id: string): DoneTask | undefined;
  /** Every one of them (a listing of everything). */
  all(): Iterable<DoneTask>;
  /** Those with a version after `version`. */
  newerThan(version: number): Iterable<DoneTask>;
  /** ID and finish time (ms) of each, the first finished first: what a sweep reads until it keeps one. */
  byFinish(): Iterable<[id: string, finished: number]>;
  /** The placements stopped for a task before the start, oldest first; undefined when none. */
  tombstones(id: string): string[] | undefined;
  /** Tasks the store has no record of whose newest tombstone was left at `before` (ms, a finite time) or earlier. */
  buriedBefore(before: number): Iterable<string>;
}
