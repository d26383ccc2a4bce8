// A worker's task records in a SQLite file, one row per task, the record as
// JSON: the record is the unit the worker reads and writes, so nothing is
// gained by splitting it into columns. Stopped placements have a table of
// their own, kept to the newest few per task.
import type { Tombstone } from '../vocabulary/tombstone.js';
import type { Log } from '../log.js';
import type { Task } from '../vocabulary/task.js';
import { readRecords } from './read-records.js';
import { openDatabase, type SqliteDatabase } from './sqlite.js';
import type { TaskState, TaskStore } from './task-store.js';

/** Stopped placements kept per task on disk, as in memory (machines/worker.ts). */
const TOMBSTONES_KEPT = 8;

export class SqliteTaskStore implements TaskStore {
  private readonly db: SqliteDatabase;
  private readonly upsert;
  private readonly bury;
  private readonly trim;

  constructor(
    readonly file: string,
    private readonly log: Log,
  ) {
    this.db = openDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS tombstones (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, placement TEXT NOT NULL);
    `);
    this.upsert = this.db.prepare('INSERT INTO tasks (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record');
    this.bury = this.db.prepare('INSERT INTO tombstones (id, placement) VALUES (?, ?)');
    this.trim = this.db.prepare('DELETE FROM tombstones WHERE id = ? AND seq NOT IN (SELECT seq FROM tombstones WHERE id = ? ORDER BY seq DESC LIMIT ?)');
  }

  load(): TaskState {
    const rows = this.db.prepare('SELECT id, record FROM tasks ORDER BY seq').all() as { id: string; record: string }[];
    const tombstones = this.db.prepare('SELECT id, placement FROM tombstones ORDER BY seq').all() as Tombstone[];
    return { tasks: readRecords(rows, this.file, this.log).map((r) => r.task), tombstones };
  }

  save(task: Task): void {
    this.upsert.run(task.ID, JSON.stringify(task));
  }

  saveTombstone({ id, placement }: Tombstone): void {
    this.bury.run(id, placement);
    this.trim.run(id, id, TOMBSTONES_KEPT);
  }

  close(): void {
    this.db.close();
  }
}
