// A worker's writes: the intents of the commands it takes (a new task's
// record, a stopped placement), written before they are carried out, and
// every changed record and pruned one, written behind, many in one
// transaction (src/store/write-behind.ts).
import type { Log } from '../log.js';
import type { IntentBatch } from './intent-batch.js';
import type { TaskStore } from './task-store.js';
import { WriteBehind, writeProblem } from './write-behind.js';
import type { Task } from '../vocabulary/task.js';
import type { Tombstone } from '../vocabulary/tombstone.js';

type Intent = { task?: Task; tombstone?: Tombstone };

export class WorkerWrites {
  private readonly records: WriteBehind<string, Task | null>;
  /** Intents waiting for the batch they came in to end. */
  private deferred: { intent: Intent; done: (problem: string) => void }[] = [];

  constructor(
    readonly store: TaskStore,
    what: string,
    log: Log,
    /** Group commit: intents that come in this batch wait for its end (src/store/intent-batch.ts). */
    private readonly batch?: IntentBatch,
  ) {
    this.records = new WriteBehind((records) => store.write(records), { what, log });
    batch?.join(this);
  }

  /**
   * Writes what a command needs stored before it is carried out, then calls
   * `done` with why it could not be ("" when it was): at once, or, in a
   * batch, when the batch ends.
   */
  intent(intent: Intent, done: (problem: string) => void): void {
    if (this.batch?.active) {
      this.deferred.push({ intent, done });
      return;
    }
    done(this.write([intent]));
  }

  /** Writes the intents that waited in a batch: their tombstones in one transaction, their records in another. */
  flushIntents(): boolean {
    if (this.deferred.length === 0) return false;
    const waited = this.deferred.splice(0);
    const problem = this.write(waited.map(({ intent }) => intent));
    for (const { done } of waited) done(problem);
    return true;
  }

  private write(intents: Intent[]): string {
    try {
      const tombstones = intents.flatMap((i) => (i.tombstone ? [i.tombstone] : []));
      if (tombstones.length > 0) this.store.saveTombstones(tombstones);
    } catch (error) {
      return writeProblem(error);
    }
    const records = intents.flatMap((i): [string, Task][] => (i.task ? [[i.task.ID, i.task]] : []));
    try {
      if (records.length > 0) this.records.mustMany(records);
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  }

  save(task: Task): void {
    this.records.save(task.ID, task);
  }

  /** Removes pruned records and their tombstones. */
  forget(ids: string[]): void {
    for (const id of ids) this.records.save(id, null);
  }

  /** A record as it is (or is about to be) on disk. */
  read(id: string): Task | undefined {
    const pending = this.records.pending(id);
    return pending === undefined ? this.store.read(id) : (pending ?? undefined);
  }

  problem(): string {
    return this.records.problem();
  }

  close(): void {
    this.records.close();
    this.store.close();
  }
}
