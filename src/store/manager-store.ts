// Where the manager keeps its ledger (docs/spec.md §5, CUBE_DATA_DIR): every task record
// with the worker it is placed on, whether a stop awaits its worker's word, and
// the event log. The queue is the Pending records in the order they came.
// A user's command is written before it is carried out or answered, so a
// manager killed with -9 comes back with every task it answered 2xx for.
//
// A Completed record is final: it is read back at start only as a DoneTask
// (a few columns), and in full when someone asks for it, so a manager starts
// as fast with ten thousand finished tasks as with none. The ledger's meta
// (its newest version, what was pruned, its starts) is kept beside the records.
import type { LedgerMeta } from '../../machines/manager/ledger.js';
import { DoneTasks } from '../../machines/done-tasks.js';
import { doneOf } from '../../machines/retention.js';
import type { Log } from '../log.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Service } from '../vocabulary/service.js';
import type { Task } from '../vocabulary/task.js';
import { readServiceRecord } from '../service/read.js';
import { readLedgerMeta } from './ledger-meta.js';
import { readNodeRecord, type NodeRecord } from './node-records.js';
import { readDone } from './packed-done.js';
import { addRecordColumns, LIVE_STATES, RECORD_COLUMNS } from './record-columns.js';
import { DEFAULT_RECORD_MAX } from '../read-file.js';
import { parseRecord, readRecords } from './read-records.js';
import { openDatabase, type SqliteDatabase } from './sqlite.js';

export interface ManagerState {
  /** Records not Completed, in the order first written. */
  tasks: Task[];
  /** Completed tasks: their records stay in the store. */
  done: DoneTasks;
  stopRequested: string[];
  log: LogEntry[];
  meta: LedgerMeta | undefined;
  /** The services (docs/spec.md §9), by name. */
  services: Service[];
}

/** A record as the manager writes it. */
export interface TaskRow {
  task: Task;
  stopRequested: boolean;
}

export interface ManagerStore {
  load(): ManagerState;
  /**
   * Writes records and removes pruned ones (null) in one transaction, with
   * the ledger's meta when given; durable when this returns; throws when it cannot.
   */
  write(rows: [string, TaskRow | null][], meta: LedgerMeta | undefined): void;
  /** A record as stored (the ledger keeps only a DoneTask of a Completed one); undefined when there is none. */
  read(id: string): Task | undefined;
  /** Adds lines to the event log, in one transaction. */
  appendLog(entries: LogEntry[]): void;
  /** The workers' membership records (src/store/node-records.ts). */
  loadNodes(): NodeRecord[];
  saveNode(node: NodeRecord): void;
  deleteNode(name: string): void;
  /** Writes a service's record; durable when this returns; throws when it cannot. */
  saveService(service: Service): void;
  deleteService(name: string): void;
  close(): void;
}

export class MemoryManagerStore implements ManagerStore {
  private readonly rows = new Map<string, TaskRow>();
  private readonly log: LogEntry[] = [];
  private meta: LedgerMeta | undefined;
  load(): ManagerState {
    const rows = [...this.rows.values()];
    // A Completed task with a stop still owed to its worker is live until the worker answers.
    const live = rows.filter((r) => r.task.StateName !== 'completed' || r.stopRequested);
    return {
      tasks: live.map((r) => r.task),
      done: DoneTasks.of(rows.filter((r) => r.task.StateName === 'completed' && !r.stopRequested).map((r) => doneOf(r.task))),
      stopRequested: live.filter((r) => r.stopRequested).map((r) => r.task.ID),
      log: [...this.log],
      meta: this.meta,
      services: [...this.services.values()],
    };
  }
  write(rows: [string, TaskRow | null][], meta: LedgerMeta | undefined): void {
    for (const [id, row] of rows) {
      if (row) this.rows.set(id, row);
      else this.rows.delete(id);
    }
    this.meta = meta ?? this.meta;
  }
  read(id: string): Task | undefined {
    return this.rows.get(id)?.task;
  }
  appendLog(entries: LogEntry[]): void {
    this.log.push(...entries);
  }
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly services = new Map<string, Service>();
  loadNodes(): NodeRecord[] {
    return [...this.nodes.values()];
  }
  saveNode(node: NodeRecord): void {
    this.nodes.set(node.Name, node);
  }
  deleteNode(name: string): void {
    this.nodes.delete(name);
  }
  saveService(service: Service): void {
    this.services.set(service.Name, service);
  }
  deleteService(name: string): void {
    this.services.delete(name);
  }
  close(): void {}
}

function parseLogEntry(text: string, max: number): LogEntry | undefined {
  try {
    const entry = parseRecord(text, max) as Record<string, unknown>;
    const ok = ['Time', 'Type', 'Message'].every((key) => typeof entry[key] === 'string');
    return ok ? (entry as unknown as LogEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** The log keeps this many entries on disk; older ones are dropped as new ones come. */
const LOG_KEPT = 10_000;

/** The meta table's row of the ledger's meta: named 'book', the ledger's earlier name, so that files written before keep theirs. */
const LEDGER_META_KEY = 'book';

export class SqliteManagerStore implements ManagerStore {
  private readonly db: SqliteDatabase;
  private readonly upsert;
  private readonly remove;
  private readonly select;
  private readonly saveMeta;
  private readonly append;
  private readonly trim;
  private readonly writeAll;
  private readonly appendAll;
  private appended = 0;

  constructor(
    readonly file: string,
    private readonly log: Log,
    /** Bytes of the largest record read (CUBE_RECORD_MAX). */
    private readonly recordMax = DEFAULT_RECORD_MAX,
  ) {
    this.db = openDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL, stop_requested INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS nodes (name TEXT PRIMARY KEY, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS services (name TEXT PRIMARY KEY, record TEXT NOT NULL);
    `);
    addRecordColumns(this.db);
    // Completed tasks are read from this index alone, never from their records.
    this.db.exec('CREATE INDEX IF NOT EXISTS tasks_by_state ON tasks (state, stop_requested, seq, id, worker, placement, submit_time, finish_time, version)');
    this.upsert = this.db.prepare(
      `INSERT INTO tasks (id, record, stop_requested, ${RECORD_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET record = excluded.record, stop_requested = excluded.stop_requested, ${RECORD_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    this.remove = this.db.prepare('DELETE FROM tasks WHERE id = ?');
    this.select = this.db.prepare('SELECT id, record FROM tasks WHERE id = ?');
    this.saveMeta = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.append = this.db.prepare('INSERT INTO log (entry) VALUES (?)');
    this.trim = this.db.prepare('DELETE FROM log WHERE seq <= (SELECT MAX(seq) FROM log) - ?');
    this.appendAll = this.db.transaction((entries: LogEntry[]) => {
      for (const entry of entries) {
        this.append.run(JSON.stringify(entry));
        if (++this.appended % 1000 === 0) this.trim.run(LOG_KEPT);
      }
    });
    this.writeAll = this.db.transaction((rows: [string, TaskRow | null][], meta: LedgerMeta | undefined) => {
      for (const [id, row] of rows) {
        if (!row) {
          this.remove.run(id);
          continue;
        }
        const t = row.task;
        this.upsert.run(id, JSON.stringify(t), row.stopRequested ? 1 : 0, t.StateName, t.Worker, t.Placement, t.SubmitTime, t.FinishTime, t.Version);
      }
      if (meta) this.saveMeta.run(LEDGER_META_KEY, JSON.stringify(meta));
    });
  }

  load(): ManagerState {
    const rows = this.db
      .prepare(
        `SELECT id, record, stop_requested FROM tasks WHERE state IS NULL OR state IN (${LIVE_STATES}) OR (state = 'completed' AND stop_requested = 1) ORDER BY seq`,
      )
      .all() as { id: string; record: string; stop_requested: number }[];
    const read = readRecords(rows, this.file, this.log, this.recordMax);
    const done = readDone(this.db, "state = 'completed' AND stop_requested = 0");
    const log: LogEntry[] = [];
    for (const { entry } of this.db.prepare('SELECT entry FROM log ORDER BY seq').all() as { entry: string }[]) {
      // A damaged log line costs only itself.
      const parsed = parseLogEntry(entry, this.recordMax);
      if (parsed) log.push(parsed);
    }
    return {
      tasks: read.map((r) => r.task),
      done,
      stopRequested: read.filter((r) => r.stop_requested === 1).map((r) => r.task.ID),
      log,
      meta: this.readMeta(),
      services: this.readNamed('services', 'service', readServiceRecord),
    };
  }

  write(rows: [string, TaskRow | null][], meta: LedgerMeta | undefined): void {
    this.writeAll(rows, meta);
  }

  read(id: string): Task | undefined {
    const row = this.select.get(id) as { id: string; record: string } | undefined;
    return row ? readRecords([row], this.file, this.log, this.recordMax)[0]?.task : undefined;
  }

  appendLog(entries: LogEntry[]): void {
    this.appendAll(entries);
  }

  loadNodes(): NodeRecord[] {
    return this.readNamed('nodes', 'worker', readNodeRecord);
  }

  saveNode(node: NodeRecord): void {
    this.saveNamed('nodes', node.Name, node);
  }

  deleteNode(name: string): void {
    this.db.prepare('DELETE FROM nodes WHERE name = ?').run(name);
  }

  saveService(service: Service): void {
    this.saveNamed('services', service.Name, service);
  }

  deleteService(name: string): void {
    this.db.prepare('DELETE FROM services WHERE name = ?').run(name);
  }

  /** The records of a table keyed by name, each read by `read`; one that cannot be read is named in the log and left in the file. */
  private readNamed<T>(table: 'nodes' | 'services', what: string, read: (value: unknown, path: string) => T): T[] {
    const records: T[] = [];
    for (const { name, record } of this.db.prepare(`SELECT name, record FROM ${table} ORDER BY name`).all() as { name: string; record: string }[]) {
      try {
        records.push(read(parseRecord(record, this.recordMax), `${what} record ${name}`));
      } catch (error) {
        this.log(`${this.file}: skipped the record of ${what} ${name}, which is not a ${what} record (${(error as Error).message}); it is left in the file`);
      }
    }
    return records;
  }

  private saveNamed(table: 'nodes' | 'services', name: string, record: object): void {
    this.db
      .prepare(`INSERT INTO ${table} (name, record) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET record = excluded.record`)
      .run(name, JSON.stringify(record));
  }

  close(): void {
    this.db.close();
  }

  /** The ledger's meta, or undefined when there is none (a new file) or it cannot be read (then it starts again: nothing pruned so far, no starts known). */
  private readMeta(): LedgerMeta | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(LEDGER_META_KEY) as { value: string } | undefined;
    return row ? readLedgerMeta(row.value, this.file, this.log) : undefined;
  }
}
