// A worker's task records in a SQLite file, one row per task, the record as
// JSON: the record is the unit the worker reads and writes, so nothing is
// gained by splitting it into columns, but for the few a Completed task is
// read back by (src/store/record-columns.ts). Stopped
// placements have a table of their own, kept to the newest few per task.
import { DoneTasks } from '../../machines/done-tasks.js';
import { TOMBSTONES_PER_TASK, type Tombstone } from '../vocabulary/tombstone.js';
import type { Log } from '../log.js';
import type { Task } from '../vocabulary/task.js';
import { addRecordColumns, LIVE_STATES, RECORD_COLUMNS } from './record-columns.js';
import { SqliteArchive } from './worker-archive.js';
import { DEFAULT_RECORD_MAX } from '../read-file.js';
import { readRecords } from './read-records.js';
import { openDatabase, type SqliteDatabase } from './sqlite.js';
import type { TaskState, TaskStore } from './task-store.js';

export class SqliteTaskStore implements TaskStore {
  private readonly db: SqliteDatabase;
  private readonly upsert;
  private readonly remove;
  private readonly unbury;
  private readonly select;
  private readonly bury;
  private readonly trim;
  private readonly writeAll;
  private readonly buryAll;

  constructor(
    readonly file: string,
    private readonly log: Log,
    /** Bytes of the largest record read (CUBE_RECORD_MAX). */
    private readonly recordMax = DEFAULT_RECORD_MAX,
  ) {
    this.db = openDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS tombstones (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, placement TEXT NOT NULL);
    `);
    addRecordColumns(this.db);
    if (!(this.db.prepare('PRAGMA table_info(tombstones)').all() as { name: string }[]).some((c) => c.name === 'at'))
      this.db.exec('ALTER TABLE tombstones ADD COLUMN at TEXT');
    this.db.exec('CREATE INDEX IF NOT EXISTS tasks_by_state ON tasks (state, seq, id, worker, placement, submit_time, finish_time, version)');
    this.db.exec('CREATE INDEX IF NOT EXISTS tombstones_by_id ON tombstones (id)');
    // What the archive is read by (src/store/worker-archive.ts): a sweep's finish order, and old tombstones.
    this.db.exec('CREATE INDEX IF NOT EXISTS tasks_by_finish ON tasks (state, finish_time, seq, id, version)');
    this.db.exec('CREATE INDEX IF NOT EXISTS tombstones_by_at ON tombstones (at)');
    this.upsert = this.db.prepare(
      `INSERT INTO tasks (id, record, ${RECORD_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET record = excluded.record, ${RECORD_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    this.remove = this.db.prepare('DELETE FROM tasks WHERE id = ?');
    this.unbury = this.db.prepare('DELETE FROM tombstones WHERE id = ?');
    this.select = this.db.prepare('SELECT id, record FROM tasks WHERE id = ?');
    this.bury = this.db.prepare('INSERT INTO tombstones (id, placement, at) VALUES (?, ?, ?)');
    this.trim = this.db.prepare('DELETE FROM tombstones WHERE id = ? AND seq NOT IN (SELECT seq FROM tombstones WHERE id = ? ORDER BY seq DESC LIMIT ?)');
    this.buryAll = this.db.transaction((tombstones: Tombstone[]) => {
      for (const { id, placement, at } of tombstones) {
        this.bury.run(id, placement, at ?? null);
        this.trim.run(id, id, TOMBSTONES_PER_TASK);
      }
    });
    this.writeAll = this.db.transaction((records: [string, Task | null][]) => {
      for (const [id, t] of records) {
        if (t) {
          this.upsert.run(id, JSON.stringify(t), t.StateName, t.Worker, t.Placement, t.SubmitTime, t.FinishTime, t.Version);
        } else {
          this.remove.run(id);
          this.unbury.run(id);
        }
      }
    });
  }

  load(): TaskState {
    const rows = this.db.prepare(`SELECT id, record FROM tasks WHERE state IS NULL OR state IN (${LIVE_STATES}) ORDER BY seq`).all() as {
      id: string;
      record: string;
    }[];
    // Completed tasks and tombstones are read when the worker asks (machines/archive.ts).
    const archive = new SqliteArchive(this.db, this.file, this.log);
    return { tasks: readRecords(rows, this.file, this.log, this.recordMax).map((r) => r.task), done: new DoneTasks(archive), tombstones: [], archive };
  }

  write(records: [string, Task | null][]): void {
    this.writeAll(records);
  }

  read(id: string): Task | undefined {
    const row = this.select.get(id) as { id: string; record: string } | undefined;
    return row ? readRecords([row], this.file, this.log, this.recordMax)[0]?.task : undefined;
  }

  saveTombstones(tombstones: Tombstone[]): void {
    this.buryAll(tombstones);
  }

  close(): void {
    this.db.close();
  }
}
