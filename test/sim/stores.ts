// The disks: a worker's task store and the manager's store, kept across a
// simulated kill -9 (what was written stays written) and able to fail a
// write (a full disk, a lock held too long) while a fault lasts. Each process
// incarnation writes through its own handle; a killed process's handle is
// closed, so nothing it had under way lands after its death.
import type { BookMeta } from '../../machines/manager/book.js';
import { DoneTasks } from '../../machines/done-tasks.js';
import { doneOf } from '../../machines/retention.js';
import type { NodeRecord } from '../../src/store/node-records.js';
import type { LogEntry } from '../../src/vocabulary/log-entry.js';
import type { Task } from '../../src/vocabulary/task.js';
import type { ManagerState, ManagerStore } from '../../src/store/manager-store.js';
import type { TaskState, TaskStore } from '../../src/store/task-store.js';
import type { Tombstone } from '../../src/vocabulary/tombstone.js';

/** A disk that can refuse writes until a time (absolute ms). */
export class SimDisk {
  failUntil = 0;
  writes = 0;

  constructor(readonly name: string) {}

  check(): void {
    if (Date.now() < this.failUntil) {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    }
    this.writes++;
  }
}

export class SimTaskDisk extends SimDisk {
  readonly tasks = new Map<string, Task>();
  readonly tombstones: Tombstone[] = [];

  open(): TaskStore & { kill(): void } {
    let open = true;
    return {
      load: (): TaskState => {
        const all = [...this.tasks.values()];
        return {
          tasks: all.filter((t) => t.StateName !== 'completed').map(copy),
          done: DoneTasks.of(all.filter((t) => t.StateName === 'completed').map(doneOf)),
          tombstones: this.tombstones.map(copy),
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
        this.tombstones.push(...tombstones.map(copy));
      },
      close: () => void (open = false),
      kill: () => void (open = false),
    };
  }
}

export class SimManagerDisk extends SimDisk {
  readonly tasks = new Map<string, { task: Task; stopRequested: boolean }>();
  readonly log: LogEntry[] = [];
  meta: BookMeta | undefined;
  /** Workers that joined, and drains (issue 14): kept like the tasks. */
  readonly nodes = new Map<string, NodeRecord>();

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
        };
      },
      write: (rows, meta) => {
        if (!open) return;
        this.check();
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
      close: () => void (open = false),
      kill: () => void (open = false),
    };
  }
}

/** What is on disk is bytes: a record read back is a new object, as JSON.parse gives. */
const copy = <T>(value: T): T => structuredClone(value);
