// The placements stopped on a worker, per task (docs/architecture.md §7,
// "Placements"): a run that arrives after its stop is refused. Those left
// since the start are kept here, in memory; those of before are in the
// worker's archive (machines/archive.ts), read when a task is named, until
// the worker changes or forgets them.
import type { Archive } from './archive.js';

export class Tombstones {
  /** Each task's stopped placements changed since the start, oldest first; they win over the archive's. */
  private readonly recent = new Map<string, string[]>();
  /** Tasks whose archived tombstones are forgotten (pruned) since the start. */
  private readonly forgotten = new Set<string>();

  constructor(private readonly archive?: Archive) {}

  get(id: string): string[] | undefined {
    return this.recent.get(id) ?? (this.archive && !this.forgotten.has(id) ? this.archive.tombstones(id) : undefined);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  set(id: string, placements: string[]): this {
    this.recent.set(id, placements);
    return this;
  }

  delete(id: string): boolean {
    const archived = this.archive !== undefined && !this.forgotten.has(id) && this.archive.tombstones(id) !== undefined;
    if (archived) this.forgotten.add(id);
    return this.recent.delete(id) || archived;
  }

  /** Archived tasks the store has no record of whose newest tombstone was left at `before` (ms) or earlier, not yet forgotten. */
  *buriedBefore(before: number): IterableIterator<string> {
    if (!Number.isFinite(before)) return; // kept forever: nothing is old enough
    for (const id of this.archive?.buriedBefore(before) ?? []) if (!this.forgotten.has(id) && !this.recent.has(id)) yield id;
  }

  /** The inspector shows a count of those in memory. */
  toJSON(): { recent: number } {
    return { recent: this.recent.size };
  }
}
