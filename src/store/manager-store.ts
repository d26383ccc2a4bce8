// Where the manager keeps its book (docs/spec.md §5, CUBE_DATA_DIR): every task record
// with the worker it is placed on, whether a stop awaits its worker's word, and
// the event log. The queue is the Pending records in the order they came.
// A user's command is written before it is carried out or answered, so a
// manager killed with -9 comes back with every task it answered 2xx for.
import type { Log } from '../log.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';
import { readNodeRecord, type NodeRecord } from './node-records.js';
import { readRecords } from './read-records.js';
import { openDatabase, type SqliteDatabase } from './sqlite.js';

export interface ManagerState {
  tasks: Task[];
  stopRequested: string[];
  log: LogEntry[];
}

export interface ManagerStore {
  load(): ManagerState;
  /** Writes a record; durable when this returns; throws when it cannot. */
  saveTask(task: Task, stopRequested: boolean): void;
  appendLog(entry: LogEntry): void;
  /** The workers' membership records (src/store/node-records.ts). */
  loadNodes(): NodeRecord[];
  saveNode(node: NodeRecord): void;
  deleteNode(name: string): void;
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
  private readonly nodes = new Map<string, NodeRecord>();
  loadNodes(): NodeRecord[] {
    return [...this.nodes.values()];
  }
  saveNode(node: NodeRecord): void {
    this.nodes.set(node.Name, node);
  }
  deleteNode(name: string): void {
    this.nodes.delete(name);
  }
  close(): void {}
}

function parseLogEntry(text: string): LogEntry | undefined {
  try {
    const entry = JSON.parse(text) as Record<string, unknown>;
    const ok = ['Time', 'Type', 'Message'].every((key) => typeof entry[key] === 'string');
    return ok ? (entry as unknown as LogEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** The log keeps this many entries on disk; older ones are dropped as new ones come. */
const LOG_KEPT = 10_000;

export class SqliteManagerStore implements ManagerStore {
  private readonly db: SqliteDatabase;
  private readonly upsert;
  private readonly append;
  private readonly trim;
  private appended = 0;

  constructor(
    readonly file: string,
    private readonly log: Log,
  ) {
    this.db = openDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL, stop_requested INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS nodes (name TEXT PRIMARY KEY, record TEXT NOT NULL);
    `);
    this.upsert = this.db.prepare(
      'INSERT INTO tasks (id, record, stop_requested) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record, stop_requested = excluded.stop_requested',
    );
    this.append = this.db.prepare('INSERT INTO log (entry) VALUES (?)');
    this.trim = this.db.prepare('DELETE FROM log WHERE seq <= (SELECT MAX(seq) FROM log) - ?');
  }

  load(): ManagerState {
    const rows = this.db.prepare('SELECT id, record, stop_requested FROM tasks ORDER BY seq').all() as { id: string; record: string; stop_requested: number }[];
    const read = readRecords(rows, this.file, this.log);
    const log: LogEntry[] = [];
    for (const { entry } of this.db.prepare('SELECT entry FROM log ORDER BY seq').all() as { entry: string }[]) {
      // A damaged log line costs only itself.
      const parsed = parseLogEntry(entry);
      if (parsed) log.push(parsed);
    }
    return { tasks: read.map((r) => r.task), stopRequested: read.filter((r) => r.stop_requested === 1).map((r) => r.task.ID), log };
  }

  saveTask(task: Task, stopRequested: boolean): void {
    this.upsert.run(task.ID, JSON.stringify(task), stopRequested ? 1 : 0);
  }

  appendLog(entry: LogEntry): void {
    this.append.run(JSON.stringify(entry));
    if (++this.appended % 1000 === 0) this.trim.run(LOG_KEPT);
  }

  loadNodes(): NodeRecord[] {
    const nodes: NodeRecord[] = [];
    for (const { name, record } of this.db.prepare('SELECT name, record FROM nodes ORDER BY name').all() as { name: string; record: string }[]) {
      try {
        nodes.push(readNodeRecord(JSON.parse(record), `node record ${name}`));
      } catch (error) {
        this.log(`${this.file}: skipped the record of worker ${name}, which is not a node record (${(error as Error).message}); it is left in the file`);
      }
    }
    return nodes;
  }

  saveNode(node: NodeRecord): void {
    this.db
      .prepare('INSERT INTO nodes (name, record) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET record = excluded.record')
      .run(node.Name, JSON.stringify(node));
  }

  deleteNode(name: string): void {
    this.db.prepare('DELETE FROM nodes WHERE name = ?').run(name);
  }

  close(): void {
    this.db.close();
  }
}
