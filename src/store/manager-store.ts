// Where the manager keeps its book (docs/spec.md §5, CUBE_DATA_DIR): every task record
// with the worker it is placed on, whether a stop awaits its worker's word, and
// the event log. The queue is the Pending records in the order they came.
// Everything is written before the request that caused it is answered, so a
// manager killed with -9 comes back with every task it answered 201 for.
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';
import { openDatabase, type SqliteDatabase } from './sqlite.js';

export interface ManagerState {
  tasks: Task[];
  stopRequested: string[];
  log: LogEntry[];
}

export interface ManagerStore {
  load(): ManagerState;
  saveTask(task: Task, stopRequested: boolean): void;
  appendLog(entry: LogEntry): void;
  close(): void;
}

export class MemoryManagerStore implements ManagerStore {
  private readonly tasks = new Map<string, { task: Task; stopRequested: boolean }>();
  private readonly log: LogEntry[] = [];
  load(): ManagerState {
    const rows = [...this.tasks.values()];
    return { tasks: rows.map((r) => r.task), stopRequested: rows.filter((r) => r.stopRequested).map((r) => r.task.ID), log: [...this.log] };
  }
  saveTask(task: Task, stopRequested: boolean): void {
    this.tasks.set(task.ID, { task, stopRequested });
  }
  appendLog(entry: LogEntry): void {
    this.log.push(entry);
  }
  close(): void {}
}

/** The log keeps this many entries on disk; older ones are dropped as new ones come. */
const LOG_KEPT = 10_000;

export class SqliteManagerStore implements ManagerStore {
  private readonly db: SqliteDatabase;
  private readonly upsert;
  private readonly append;
  private readonly trim;
  private appended = 0;

  constructor(readonly file: string) {
    this.db = openDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL, stop_requested INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
    `);
    this.upsert = this.db.prepare(
      'INSERT INTO tasks (id, record, stop_requested) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record, stop_requested = excluded.stop_requested',
    );
    this.append = this.db.prepare('INSERT INTO log (entry) VALUES (?)');
    this.trim = this.db.prepare('DELETE FROM log WHERE seq <= (SELECT MAX(seq) FROM log) - ?');
  }

  load(): ManagerState {
    const rows = this.db.prepare('SELECT record, stop_requested FROM tasks ORDER BY seq').all() as { record: string; stop_requested: number }[];
    const tasks = rows.map((r) => JSON.parse(r.record) as Task);
    const log = (this.db.prepare('SELECT entry FROM log ORDER BY seq').all() as { entry: string }[]).map((r) => JSON.parse(r.entry) as LogEntry);
    return { tasks, stopRequested: tasks.filter((_, i) => rows[i]!.stop_requested === 1).map((t) => t.ID), log };
  }

  saveTask(task: Task, stopRequested: boolean): void {
    this.upsert.run(task.ID, JSON.stringify(task), stopRequested ? 1 : 0);
  }

  appendLog(entry: LogEntry): void {
    this.append.run(JSON.stringify(entry));
    if (++this.appended % 1000 === 0) this.trim.run(LOG_KEPT);
  }

  close(): void {
    this.db.close();
  }
}
