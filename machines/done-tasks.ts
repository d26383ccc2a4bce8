// The Completed tasks a process keeps (docs/architecture.md §7,
// "Retention"): a DoneTask of each, its record being in the store. A worker
// keeps those of before its start in its archive (machines/archive.ts), and
// reads them when asked; what it completes or forgets since is kept here.
//
// Why not a Map of objects: a start reads every one of them, and 50,000
// DoneTask objects (six strings each) cost a start about 110 ms to read and
// build, and as much again in garbage collection, in the manager and in the
// worker alike. So a store hands them over packed, a few long strings of
// rows (`PACKED`), and only an index by ID is built; a DoneTask is made when
// one is asked for. A task completed after the start is kept as an object.
import type { DoneTask } from '../src/vocabulary/retention.js';
import type { Archive } from './archive.js';

/** How a store packs DoneTasks: fields in this order, each row's fields joined by `field`, rows joined by `row`. */
export const PACKED = {
  fields: ['ID', 'Worker', 'Placement', 'SubmitTime', 'FinishTime', 'Version'] as const,
  field: '\u001f',
  row: '\u001e',
};

/** Where a packed row is: its chunk, and its offset there. */
const CHUNK = 2 ** 31;

export class DoneTasks {
  /** Packed rows, as stores gave them; a chunk none of whose rows is kept any more is let go. */
  private readonly chunks: string[] = [];
  /** Per chunk, how many of its rows are kept. */
  private readonly kept: number[] = [];
  /** ID → where its packed row starts (chunk × CHUNK + offset). */
  private readonly packed = new Map<string, number>();
  /** Tasks given as objects: completed since the start, or read from a store that does not pack. */
  private readonly objects = new Map<string, DoneTask>();
  /** The highest version any of them had: where a start's versions continue from. */
  newestVersion: number;
  /** Archived tasks forgotten (pruned, or replaced) since the start. */
  private readonly forgotten = new Set<string>();

  constructor(private readonly archive?: Archive) {
    this.newestVersion = archive?.newestVersion ?? 0;
  }

  static of(tasks: Iterable<DoneTask>): DoneTasks {
    const done = new DoneTasks();
    for (const task of tasks) done.set(task.ID, task);
    return done;
  }

  /**
   * Adds packed rows; returns how many. A row whose ID is already here
   * replaces the one before. Rows are not checked: a store packs them from
   * columns it wrote itself, and counts them (src/store/packed-done.ts).
   */
  addPacked(text: string): number {
    if (text === '') return 0;
    const chunk = this.chunks.push(text) - 1;
    this.kept.push(0);
    let rows = 0;
    for (let at = 0; at < text.length; rows++) {
      const end = text.indexOf(PACKED.field, at);
      if (end < 0) break;
      const id = text.slice(at, end);
      this.delete(id);
      this.packed.set(id, chunk * CHUNK + at);
      this.kept[chunk]!++;
      const next = text.indexOf(PACKED.row, end);
      const rowEnd = next < 0 ? text.length : next;
      this.newestVersion = Math.max(this.newestVersion, Number(text.slice(text.lastIndexOf(PACKED.field, rowEnd) + 1, rowEnd)) || 0);
      at = rowEnd + 1;
    }
    return rows;
  }

  get size(): number {
    return this.packed.size + this.objects.size + this.archivedCount;
  }

  /** How many archived tasks are still kept. */
  get archivedCount(): number {
    return (this.archive?.count ?? 0) - this.forgotten.size;
  }

  has(id: string): boolean {
    return this.objects.has(id) || this.packed.has(id) || this.archived(id) !== undefined;
  }

  get(id: string): DoneTask | undefined {
    const where = this.packed.get(id);
    return where === undefined ? (this.objects.get(id) ?? this.archived(id)) : this.unpack(where);
  }

  set(id: string, task: DoneTask): this {
    this.forgetArchived(id);
    this.forgetPacked(id);
    this.objects.set(id, task);
    this.newestVersion = Math.max(this.newestVersion, task.Version);
    return this;
  }

  delete(id: string): boolean {
    const archived = this.forgetArchived(id);
    const packed = this.forgetPacked(id);
    return this.objects.delete(id) || packed || archived;
  }

  *keys(): IterableIterator<string> {
    yield* this.packed.keys();
    yield* this.objects.keys();
    for (const task of this.notForgotten(this.archive?.all() ?? [])) yield task.ID;
  }

  /** Every one; archived ones are read from the store. */
  *values(): IterableIterator<DoneTask> {
    for (const where of this.packed.values()) yield this.unpack(where);
    yield* this.objects.values();
    yield* this.notForgotten(this.archive?.all() ?? []);
  }

  /** Those with a version after `version`: the store is asked only when an archived one can be. */
  *changedSince(version: number): IterableIterator<DoneTask> {
    for (const where of this.packed.values()) {
      const task = this.unpack(where);
      if (task.Version > version) yield task;
    }
    for (const task of this.objects.values()) if (task.Version > version) yield task;
    if (this.archive && version < this.archive.newestVersion) {
      yield* this.notForgotten(this.archive.newerThan(version));
    }
  }

  /** The archived ones still kept, the first finished first: [ID, finish time in ms]. */
  *archivedByFinish(): IterableIterator<[string, number]> {
    for (const entry of this.archive?.byFinish() ?? []) if (!this.forgotten.has(entry[0])) yield entry;
  }

  /** Each task's ID and one of its times, without making a DoneTask of each: what a start orders them by. Not the archived ones. */
  *times(field: 'SubmitTime' | 'FinishTime'): IterableIterator<[id: string, time: string]> {
    const index = PACKED.fields.indexOf(field);
    for (const [id, where] of this.packed) {
      const text = this.chunks[Math.floor(where / CHUNK)]!;
      let at = where % CHUNK;
      for (let i = 0; i < index; i++) at = text.indexOf(PACKED.field, at) + 1;
      yield [id, text.slice(at, text.indexOf(PACKED.field, at))];
    }
    for (const [id, task] of this.objects) yield [id, task[field]];
  }

  /** The inspector shows a count, not megabytes of packed rows. */
  toJSON(): { size: number } {
    return { size: this.size };
  }

  /** Archived tasks not forgotten since the start. */
  private *notForgotten(archived: Iterable<DoneTask>): IterableIterator<DoneTask> {
    for (const task of archived) if (!this.forgotten.has(task.ID)) yield task;
  }

  private archived(id: string): DoneTask | undefined {
    return this.archive && !this.forgotten.has(id) ? this.archive.get(id) : undefined;
  }

  private forgetArchived(id: string): boolean {
    if (this.archived(id) === undefined) return false;
    this.forgotten.add(id);
    return true;
  }

  private forgetPacked(id: string): boolean {
    const where = this.packed.get(id);
    if (where === undefined) return false;
    this.packed.delete(id);
    const chunk = Math.floor(where / CHUNK);
    if (--this.kept[chunk]! === 0) this.chunks[chunk] = '';
    return true;
  }

  private unpack(where: number): DoneTask {
    const text = this.chunks[Math.floor(where / CHUNK)]!;
    const end = text.indexOf(PACKED.row, where % CHUNK);
    const [ID, Worker, Placement, SubmitTime, FinishTime, Version] = text.slice(where % CHUNK, end < 0 ? undefined : end).split(PACKED.field);
    return { ID: ID!, Worker: Worker!, Placement: Placement!, SubmitTime: SubmitTime!, FinishTime: FinishTime!, Version: Number(Version) };
  }
}
