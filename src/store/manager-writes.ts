// The manager's writes: a user's command's intent, written before it is
// carried out (a failure is answered 503), every changed record and every
// pruned one written behind (src/store/write-behind.ts), many in one
// transaction, and the event log, whose lines are worth less than serving:
// one that cannot be written is dropped. The ledger's meta goes with every
// write that leaves nothing waiting, so what it says is never ahead of the
// records in the store.
//
// `ManagerWriter` is what the manager machine's writes go to. A local store
// (SQLite, memory) answers at once, or at the end of a group commit of
// intents (src/store/intent-batch.ts); etcd answers later, and commands to
// workers wait for `settled` (docs/architecture.md §7, "Writes that answer
// later"). Either way an intent's outcome comes to a callback.
import type { LedgerMeta } from '../../machines/manager/ledger.js';
import type { Log } from '../log.js';
import type { ManagerStore, TaskRow } from './manager-store.js';
import type { IntentBatch } from './intent-batch.js';
import type { NodeRecord } from './node-records.js';
import { WriteBehind } from './write-behind.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Service } from '../vocabulary/service.js';
import type { Task } from '../vocabulary/task.js';

export interface ManagerWriter {
  /**
   * Writes a command's intent, then calls `done` with why it could not be
   * written ("" when it was): at once, at the end of a group commit, or when
   * the store answers (etcd).
   */
  intent(task: Task, stopRequested: boolean, done: (problem: string) => void): void;
  /** Writes a changed record; never throws (a failure is retried). */
  save(task: Task, stopRequested: boolean): void;
  /** Removes pruned records (written behind, as `save`). */
  forget(ids: string[]): void;
  /** A record as stored, or about to be: what the ledger keeps only a DoneTask of; undefined when there is none. Answers at once, whatever the store. */
  read(id: string): Task | undefined;
  /** Where the ledger's meta comes from (the manager actor, once it runs). */
  metaFrom(meta: () => LedgerMeta): void;
  /** Writes the ledger's meta now (at start: this start joins the manager's starts); throws (or rejects) with why it could not. */
  writeMeta(): void | Promise<void>;
  appendLog(entry: LogEntry): void;
  /**
   * An intent that failed was taken back in memory: `record` is the task as
   * the ledger has it now (undefined: no such task). A store that cannot tell
   * whether a failed write was applied (etcd after a timeout) writes it again.
   */
  undo?(id: string, record: Task | undefined, stopRequested: boolean): void;
  /** Resolves once every record write made so far is stored (absent: writes are stored when made). */
  settled?(): Promise<void>;
  /** Writes a worker's membership record; `ttlMs` (a joined worker's) makes it expire unless written again. */
  putNode(node: NodeRecord, ttlMs: number): void | Promise<void>;
  deleteNode(name: string): void | Promise<void>;
  /** Writes a service's record (docs/spec.md §9); stored when this returns or resolves; throws (or rejects) with why it could not. */
  putService(service: Service): void | Promise<void>;
  deleteService(name: string): void | Promise<void>;
  problem(): string;
  close(): void;
}

export class ManagerWrites implements ManagerWriter {
  private readonly records: WriteBehind<string, TaskRow | null>;
  private meta: () => LedgerMeta | undefined = () => undefined;
  /** Intents waiting for the batch they came in to end. */
  private deferred: { row: TaskRow; done: (problem: string) => void }[] = [];
  /** Event log lines waiting for the end of the turn. */
  private logLines: LogEntry[] = [];

  constructor(
    readonly store: ManagerStore,
    what: string,
    log: Log,
    /** Group commit: intents that come in this batch wait for its end (src/store/intent-batch.ts). */
    private readonly batch?: IntentBatch,
  ) {
    this.records = new WriteBehind((rows, complete) => store.write(rows, complete ? this.meta() : undefined), { what, log });
    batch?.join(this);
  }

  /** Where the ledger's meta comes from (the manager actor, once it runs). */
  metaFrom(meta: () => LedgerMeta): void {
    this.meta = meta;
  }

  /** Writes the ledger's meta now (at start: this start joins the manager's starts); throws an Error saying why it could not. */
  writeMeta(): void {
    this.store.write([], this.meta());
  }

  /**
   * Writes a command's intent, then calls `done` with why it could not be
   * written ("" when it was): at once, or, in a batch, when the batch ends.
   */
  intent(task: Task, stopRequested: boolean, done: (problem: string) => void): void {
    const row = { task, stopRequested };
    if (this.batch?.active) {
      this.deferred.push({ row, done });
      return;
    }
    done(this.write([[task.ID, row]]));
  }

  /** Writes the intents that waited in a batch, in one transaction. */
  flushIntents(): boolean {
    if (this.deferred.length === 0) return false;
    const waited = this.deferred.splice(0);
    const problem = this.write(waited.map(({ row }) => [row.task.ID, row]));
    for (const { done } of waited) done(problem);
    return true;
  }

  private write(rows: [string, TaskRow][]): string {
    try {
      this.records.mustMany(rows);
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  }

  save(task: Task, stopRequested: boolean): void {
    this.records.save(task.ID, { task, stopRequested });
  }

  /** Removes pruned records. */
  forget(ids: string[]): void {
    for (const id of ids) this.records.save(id, null);
  }

  /** A record as it is (or is about to be) on disk: what the ledger keeps only a DoneTask of. */
  read(id: string): Task | undefined {
    const pending = this.records.pending(id);
    return pending === undefined ? this.store.read(id) : (pending?.task ?? undefined);
  }

  /** Adds a line to the event log: the lines of one turn are written together at its end. */
  appendLog(entry: LogEntry): void {
    this.logLines.push(entry);
    if (this.logLines.length === 1) setImmediate(() => this.writeLog());
  }

  private writeLog(): void {
    const lines = this.logLines.splice(0);
    if (this.records.problem()) return; // the records' writes report the disk's trouble; log lines are not worth a second report
    try {
      this.store.appendLog(lines);
    } catch {
      // dropped, as said above
    }
  }

  /** A local store keeps a joined worker until it is removed: `ttlMs` is for stores with leases. */
  putNode(node: NodeRecord): void {
    this.store.saveNode(node);
  }

  deleteNode(name: string): void {
    this.store.deleteNode(name);
  }

  putService(service: Service): void {
    this.store.saveService(service);
  }

  deleteService(name: string): void {
    this.store.deleteService(name);
  }

  problem(): string {
    return this.records.problem();
  }

  close(): void {
    this.writeLog();
    this.records.close();
    this.store.close();
  }
}
