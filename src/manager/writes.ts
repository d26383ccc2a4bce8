// The manager's writes: a user's command's intent, written before it is
// carried out (a failure is answered 503), every changed record written
// behind (src/store/write-behind.ts), and the event log, whose lines are
// worth less than serving: one that cannot be written is dropped.
//
// `ManagerWriter` is what the manager machine's writes go to. A local store
// (SQLite, memory) answers at once; etcd answers later, so an intent may be a
// promise and commands to workers wait for `settled` (docs/architecture.md §7,
// "Writes that answer later").
import type { Log } from '../log.js';
import type { ManagerStore } from '../store/manager-store.js';
import type { NodeRecord } from '../store/node-records.js';
import { WriteBehind } from '../store/write-behind.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';

interface Row {
  task: Task;
  stopRequested: boolean;
}

export interface ManagerWriter {
  /** Writes a command's intent: returns once it is stored, or a promise of that; throws (or rejects) with why not. */
  intent(task: Task, stopRequested: boolean): void | Promise<void>;
  /** Writes a changed record; never throws (a failure is retried). */
  save(task: Task, stopRequested: boolean): void;
  appendLog(entry: LogEntry): void;
  /**
   * An intent that failed was taken back in memory: `record` is the task as
   * the book has it now (undefined: no such task). A store that cannot tell
   * whether a failed write was applied (etcd after a timeout) writes it again.
   */
  undo?(id: string, record: Task | undefined, stopRequested: boolean): void;
  /** Resolves once every record write made so far is stored (absent: writes are stored when made). */
  settled?(): Promise<void>;
  /** Writes a worker's membership record; `ttlMs` (a joined worker's) makes it expire unless written again. */
  putNode(node: NodeRecord, ttlMs: number): void | Promise<void>;
  deleteNode(name: string): void | Promise<void>;
  problem(): string;
  close(): void;
}

export class ManagerWrites implements ManagerWriter {
  private readonly records: WriteBehind<string, Row>;

  constructor(
    readonly store: ManagerStore,
    what: string,
    log: Log,
  ) {
    this.records = new WriteBehind((_, row) => store.saveTask(row.task, row.stopRequested), { what, log });
  }

  /** Writes a command's intent; throws an Error saying why it could not. */
  intent(task: Task, stopRequested: boolean): void {
    this.records.must(task.ID, { task, stopRequested });
  }

  save(task: Task, stopRequested: boolean): void {
    this.records.save(task.ID, { task, stopRequested });
  }

  appendLog(entry: LogEntry): void {
    if (this.records.problem()) return;
    try {
      this.store.appendLog(entry);
    } catch {
      // The records' writes report the disk's trouble; a log line is not worth a second report.
    }
  }

  /** A local store keeps a joined worker until it is removed: `ttlMs` is for stores with leases. */
  putNode(node: NodeRecord): void {
    this.store.saveNode(node);
  }

  deleteNode(name: string): void {
    this.store.deleteNode(name);
  }

  problem(): string {
    return this.records.problem();
  }

  close(): void {
    this.records.close();
    this.store.close();
  }
}
