// A worker's archive on SQLite (machines/archive.ts): the Completed tasks and
// the tombstones its store held when it started, read by index when the
// worker asks, never all at start. "Held at the start" is a bound fixed at
// open: Completed rows with a version no newer than the newest then (a
// Completed record is final, and what completes later gets a newer version),
// and tombstone rows no later than the last then. What the worker forgets
// since is filtered out by the worker (machines/done-tasks.ts), until the
// rows leave the file with its next write.
//
// The worker reads the archive inside its machine's transitions, where an
// exception would end the process. So a read that fails (a failing disk) is
// logged and answers as if the archive had nothing: the task is unknown, and
// the worker goes on. docs/architecture.md §8 says what that can cost.
import type { Archive } from '../../machines/archive.js';
import type { Log } from '../log.js';
import type { DoneTask } from '../vocabulary/retention.js';
import { keptPlacements } from '../vocabulary/tombstone.js';
import { DONE_SELECT } from './record-columns.js';
import type { SqliteDatabase } from './sqlite.js';

export class SqliteArchive implements Archive {
  readonly count: number;
  readonly newestVersion: number;
  private readonly lastTombstone: number;
  private readonly one;
  private readonly every;
  private readonly newer;
  private readonly finishOrder;
  private readonly stopped;
  private readonly buried;

  /** `db` is a worker's store, with its indexes (src/store/sqlite-task-store.ts). */
  constructor(
    db: SqliteDatabase,
    private readonly file: string,
    private readonly log: Log,
  ) {
    const done = db.prepare("SELECT count(version) AS n, max(version) AS newest FROM tasks WHERE state = 'completed'").get() as {
      n: number;
      newest: number | null;
    };
    this.count = done.n;
    this.newestVersion = done.newest ?? 0;
    this.lastTombstone = (db.prepare('SELECT max(seq) AS last FROM tombstones').get() as { last: number | null }).last ?? 0;
    const archived = `state = 'completed' AND version <= ${this.newestVersion}`;
    this.one = db.prepare(`SELECT ${DONE_SELECT} FROM tasks WHERE id = ? AND ${archived}`);
    this.every = db.prepare(`SELECT ${DONE_SELECT} FROM tasks WHERE ${archived} ORDER BY seq`);
    this.newer = db.prepare(`SELECT ${DONE_SELECT} FROM tasks WHERE ${archived} AND version > ? ORDER BY seq`);
    this.finishOrder = db.prepare(`SELECT id, finish_time FROM tasks WHERE ${archived} ORDER BY finish_time, seq`).raw();
    this.stopped = db.prepare(`SELECT placement FROM tombstones WHERE id = ? AND seq <= ${this.lastTombstone} ORDER BY seq`).pluck();
    // The newest tombstone of each task counts: a task stopped again later is kept for as long.
    this.buried = db
      .prepare(
        `SELECT DISTINCT id FROM tombstones AS t WHERE seq <= ${this.lastTombstone} AND at IS NOT NULL AND at <= ?
         AND NOT EXISTS (SELECT 1 FROM tombstones AS u WHERE u.id = t.id AND u.seq <= ${this.lastTombstone} AND u.at > ?)
         AND NOT EXISTS (SELECT 1 FROM tasks WHERE tasks.id = t.id)`,
      )
      .pluck();
  }

  // An empty archive asks nothing of the file: a new task's run looks here.
  get(id: string): DoneTask | undefined {
    if (this.count === 0) return undefined;
    return this.read(`the Completed task ${id}`, undefined, () => this.one.get(id) as DoneTask | undefined);
  }

  all(): Iterable<DoneTask> {
    return this.read('its Completed tasks', [], () => this.every.all() as DoneTask[]);
  }

  newerThan(version: number): Iterable<DoneTask> {
    return this.read(`its Completed tasks after version ${version}`, [], () => this.newer.all(version) as DoneTask[]);
  }

  *byFinish(): Iterable<[string, number]> {
    // Read as the sweep goes: it stops at the first task it keeps.
    try {
      for (const [id, finished] of this.finishOrder.iterate() as IterableIterator<[string, string | null]>) yield [id, Date.parse(finished ?? '') || 0];
    } catch (error) {
      this.failed('its Completed tasks in the order they finished', error);
    }
  }

  tombstones(id: string): string[] | undefined {
    if (this.lastTombstone === 0) return undefined;
    const placements = this.read(`the tombstones of task ${id}`, [], () => this.stopped.all(id) as string[]);
    return placements.length === 0 ? undefined : keptPlacements(placements);
  }

  buriedBefore(before: number): Iterable<string> {
    const at = new Date(before).toISOString();
    return this.read('its old tombstones', [], () => this.buried.all(at, at) as string[]);
  }

  private read<T>(what: string, nothing: T, read: () => T): T {
    try {
      return read();
    } catch (error) {
      this.failed(what, error);
      return nothing;
    }
  }

  private failed(what: string, error: unknown): void {
    this.log(`${this.file}: could not read ${what} (${(error as Error).message}); taken as none, the worker goes on: check the disk`);
  }
}
