// The disks: a worker's task store and the manager's store, kept across a
// simulated kill -9 (what was written stays written) and able to fail a
// write (a full disk, a lock held too long) while a fault lasts. Each process
// incarnation writes through its own handle; a killed process's handle is
// closed, so nothing it had under way lands after its death.
import type { LedgerMeta } from '../../machines/manager/ledger.js';
import type { Archive } from '../../machines/archive.js';
import { DoneTasks } from '../../machines/done-tasks.js';
import { doneOf } from '../../machines/retention.js';
import type { NodeRecord } from '../../src/store/node-records.js';
import type { Service } from '../../src/vocabulary/service.js';
import type { LogEntry } from '../../src/vocabulary/log-entry.js';
import type { Task } from '../../src/vocabulary/task.js';
import type { DoneTask } from '../../src/vocabulary/retention.js';
import type { ManagerState, ManagerStore } from '../../src/store/manager-store.js';
import type { TaskState, TaskStore } from '../../src/store/task-store.js';
import { keptPlacements, type Tombstone } from '../../src/vocabulary/tombstone.js';

/** A disk that can refuse writes until a time (absolute ms). */
export class SimDisk {
  failUntil = 0;
  writes = 0;

  constructor(readonly name: string) {}

  /** Whether the disk refuses writes now. */
  failing(): boolean {
    return Date.now() < this.failUntil;
  }

  check(): void {
    if (this.failing()) {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    }
    this.writes++;
  }
}

export class SimTaskDisk extends SimDisk {
  readonly tasks = new Map<string, Task>();
  /** Each with its row number, as SQLite numbers them. */
  readonly tombstones: (Tombstone & { seq: number })[] = [];
  lastTombstone = 0;

  open(): TaskStore & { kill(): void } {
    let open = true;
    return {
      load: (): TaskState => {
        // As the worker's SQLite store: Completed tasks and tombstones are read when asked.
        const archive = new SimArchive(this);
        return {
          tasks: [...this.tasks.values()].filter((t) => t.StateName !== 'completed').map(copy),
          done: new DoneTasks(archive),
          tombstones: [],
          archive,
        };
      },
      write: (records) => {
        if (!open) return;
        this.check();
        for (const [id, task] of records) {
          if (task) this.tasks.set(id, copy(task));
          else {
            this.tasks.delete(id);
            for (let i = this.tombstones.length - 1; i >= 0; i--) if (this.tombstones[i]!.id === id) this.tombstones.splice(i, 1);
          }
        }
      },
      read: (id) => {
        const task = this.tasks.get(id);
        return task && copy(task);
      },
      saveTombstones: (tombstones) => {
        if (!open) return;
        this.check();
        this.tombstones.push(...tombstones.map((t) => ({ ...copy(t), seq: ++this.lastTombstone })));
      },
      close: () => void (open = false),
      kill: () => void (open = false),
    };
  }
}

/**
 * A worker's archive (machines/archive.ts) on the simulated disk, with the
 * bounds src/store/worker-archive.ts sets on SQLite: the Completed records no
 * newer than the newest at the start, the tombstones no later than the last
 * then, read from the disk as it is when asked.
 */
class SimArchive implements Archive {
  readonly count: number;
  readonly newestVersion: number;
  private readonly lastTombstone: number;

  constructor(private readonly disk: SimTaskDisk) {
    const done = [...disk.tasks.values()].filter((t) => t.StateName === 'completed');
    this.count = done.length;
    this.newestVersion = done.reduce((newest, t) => Math.max(newest, t.Version), 0);
    this.lastTombstone = disk.lastTombstone;
  }

  get(id: string): DoneTask | undefined {
    const task = this.disk.tasks.get(id);
    return task && this.archived(task) ? doneOf(task) : undefined;
  }

  all(): DoneTask[] {
    return [...this.disk.tasks.values()].filter((t) => this.archived(t)).map(doneOf);
  }

  newerThan(version: number): DoneTask[] {
    return this.all().filter((t) => t.Version > version);
  }

  byFinish(): [string, number][] {
    // SQLite orders by the text of the time, then by row: a stable sort by text does the same.
    return this.all()
      .sort((a, b) => (a.FinishTime < b.FinishTime ? -1 : a.FinishTime > b.FinishTime ? 1 : 0))
      .map((t) => [t.ID, Date.parse(t.FinishTime) || 0]);
  }

  tombstones(id: string): string[] | undefined {
    const placements = this.stones().filter((t) => t.id === id);
    return placements.length === 0 ? undefined : keptPlacements(placements.map((t) => t.placement));
  }

  buriedBefore(before: number): string[] {
    const newest = new Map<string, string>();
    for (const t of this.stones()) if (t.at && (newest.get(t.id) ?? '') < t.at) newest.set(t.id, t.at);
    const at = new Date(before).toISOString();
    return [...newest].filter(([id, left]) => left <= at && !this.disk.tasks.has(id)).map(([id]) => id);
  }

  private archived(task: Task): boolean {
    return task.StateName === 'completed' && task.Version <= this.newestVersion;
  }

  private stones() {
    return this.disk.tombstones.filter((t) => t.seq <= this.lastTombstone);
  }
}

export class SimManagerDisk extends SimDisk {
  readonly tasks = new Map<string, { task: Task; stopRequested: boolean }>();
  readonly log: LogEntry[] = [];
  meta: LedgerMeta | undefined;
  /** Workers that joined, and drains (issue 14): kept like the tasks. */
  readonly nodes = new Map<string, NodeRecord>();
  /** Services (issue 22): kept like the nodes. */
  readonly services = new Map<string, Service>();
  /** Task records written: writes of many records count once. */
  recordWrites = 0;

  open(): ManagerStore & { kill(): void } {
    let open = true;
    return {
      load: (): ManagerState => {
        const rows = [...this.tasks.values()];
        const live = rows.filter((r) => r.task.StateName !== 'completed' || r.stopRequested);
        const done = DoneTasks.of(rows.filter((r) => r.task.StateName === 'completed' && !r.stopRequested).map((r) => doneOf(r.task)));
        return {
          tasks: live.map((r) => copy(r.task)),
          done,
          stopRequested: live.filter((r) => r.stopRequested).map((r) => r.task.ID),
          log: this.log.slice(-1000),
          meta: this.meta && copy(this.meta),
          services: [...this.services.values()].map(copy),
        };
      },
      write: (rows, meta) => {
        if (!open) return;
        this.check();
        this.recordWrites++;
        for (const [id, row] of rows) {
          if (row) this.tasks.set(id, { task: copy(row.task), stopRequested: row.stopRequested });
          else this.tasks.delete(id);
        }
        this.meta = meta ? copy(meta) : this.meta;
      },
      read: (id) => {
        const row = this.tasks.get(id);
        return row && copy(row.task);
      },
      appendLog: (entries) => {
        if (!open) return;
        this.check();
        this.log.push(...entries);
        if (this.log.length > 2000) this.log.splice(0, 1000);
      },
      loadNodes: () => [...this.nodes.values()].map(copy),
      saveNode: (node) => {
        if (!open) return;
        this.check();
        this.nodes.set(node.Name, copy(node));
      },
      deleteNode: (name) => {
        if (!open) return;
        this.check();
        this.nodes.delete(name);
      },
      saveService: (service) => {
        if (!open) return;
        this.check();
        this.services.set(service.Name, copy(service));
      },
      deleteService: (name) => {
        if (!open) return;
        this.check();
        this.services.delete(name);
      },
      close: () => void (open = false),
      kill: () => void (open = false),
    };
  }
}

/** What is on disk is bytes: a record read back is a new object, as JSON.parse gives. */
const copy = <T>(value: T): T => structuredClone(value);
