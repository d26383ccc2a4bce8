// The manager's writes: a user's command's intent, written before it is
// carried out (a failure is answered 503), every changed record and every
// pruned one written behind (src/store/write-behind.ts), many in one
// transaction, and the event log, whose lines are worth less than serving:
// one that cannot be written is dropped. The book's meta goes with every
// write that leaves nothing waiting, so what it says is never ahead of the
// records on disk.
import type { BookMeta } from '../../machines/manager/book.js';
import type { Log } from '../log.js';
import type { ManagerStore, TaskRow } from '../store/manager-store.js';
import { WriteBehind } from '../store/write-behind.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';

export class ManagerWrites {
  private readonly records: WriteBehind<string, TaskRow | null>;
  private meta: () => BookMeta | undefined = () => undefined;

  constructor(
    readonly store: ManagerStore,
    what: string,
    log: Log,
  ) {
    this.records = new WriteBehind((rows, complete) => store.write(rows, complete ? this.meta() : undefined), { what, log });
  }

  /** Where the book's meta comes from (the manager actor, once it runs). */
  metaFrom(meta: () => BookMeta): void {
    this.meta = meta;
  }

  /** Writes the book's meta now (at start: this start joins the manager's starts); throws an Error saying why it could not. */
  writeMeta(): void {
    this.store.write([], this.meta());
  }

  /** Writes a command's intent; throws an Error saying why it could not. */
  intent(task: Task, stopRequested: boolean): void {
    this.records.must(task.ID, { task, stopRequested });
  }

  save(task: Task, stopRequested: boolean): void {
    this.records.save(task.ID, { task, stopRequested });
  }

  /** Removes pruned records. */
  forget(ids: string[]): void {
    for (const id of ids) this.records.save(id, null);
  }

  /** A record as it is (or is about to be) on disk: what the book keeps only a DoneTask of. */
  read(id: string): Task | undefined {
    const pending = this.records.pending(id);
    return pending === undefined ? this.store.read(id) : (pending?.task ?? undefined);
  }

  appendLog(entry: LogEntry): void {
    if (this.records.problem()) return;
    try {
      this.store.appendLog(entry);
    } catch {
      // The records' writes report the disk's trouble; a log line is not worth a second report.
    }
  }

  problem(): string {
    return this.records.problem();
  }

  close(): void {
    this.records.close();
    this.store.close();
  }
}
