// A placement of a task that a stop reached on a worker: it never runs there
// again, even when its run arrives after the stop (docs/architecture.md §7).
// A tombstone goes with its task's record when retention removes it, or, for
// a task the worker never had, a retention period after the stop.
import { placementBase } from './placement.js';

/** Stopped placements a worker keeps per task, in memory and on disk: enough for the races a stop can lose. */
export const TOMBSTONES_PER_TASK = 8;

/** A task's stopped placements as a worker compares them: their bases, the newest kept, oldest first. */
export const keptPlacements = (placements: string[]): string[] => placements.map(placementBase).slice(-TOMBSTONES_PER_TASK);
export interface Tombstone {
  id: string;
  placement: string;
  /** When the stop reached the worker (RFC 3339); absent in records written before it was kept. */
  at?: string;
}
