// The manager's writes: a user's command's intent, written before it is
// carried out (a failure is answered 503), every changed record written
// behind (src/store/write-behind.ts), and the event log, whose lines are
// worth less than serving: one that cannot be written is dropped.
import type { Log } from '../log.js';
import type { ManagerStore } from '../store/manager-store.js';
import { WriteBehind } from '../store/write-behind.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';

interface Row {
  task: Task;
  stopRequested: boolean;
}

export class ManagerWrites {
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

  problem(): string {
    return this.records.problem();
  }

  close(): void {
    this.records.close();
    this.store.close();
  }
}
