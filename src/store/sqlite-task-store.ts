// A worker's task records in a SQLite file, one row per task, the record as
// JSON: the record is the unit the worker reads and writes, so nothing is
// gained by splitting it into columns.
import type { Task } from '../vocabulary/task.js';
import { openDatabase, type SqliteDatabase } from './sqlite.js';
import type { TaskStore } from './task-store.js';

export class SqliteTaskStore implements TaskStore {
  private readonly db: SqliteDatabase;
  private readonly upsert;

  constructor(readonly file: string) {
    this.db = openDatabase(file);
    this.db.exec('CREATE TABLE IF NOT EXISTS tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL)');
    this.upsert = this.db.prepare('INSERT INTO tasks (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record');
  }

  load(): Task[] {
    const rows = this.db.prepare('SELECT record FROM tasks ORDER BY seq').all() as { record: string }[];
    return rows.map((row) => JSON.parse(row.record) as Task);
  }

  save(task: Task): void {
    this.upsert.run(task.ID, JSON.stringify(task));
  }

  close(): void {
    this.db.close();
  }
}
