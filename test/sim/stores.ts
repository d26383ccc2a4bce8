// The disks: a worker's task store and the manager's store, kept across a
// simulated kill -9 (what was written stays written) and able to fail a
// write (a full disk, a lock held too long) while a fault lasts. Each process
// incarnation writes through its own handle; a killed process's handle is
// closed, so nothing it had under way lands after its death.
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
      load: (): TaskState => ({ tasks: [...this.tasks.values()].map(copy), tombstones: this.tombstones.map(copy) }),
      save: (task) => {
        if (!open) return;
        this.check();
        this.tasks.set(task.ID, copy(task));
      },
      saveTombstone: (tombstone) => {
        if (!open) return;
        this.check();
        this.tombstones.push(copy(tombstone));
      },
      close: () => void (open = false),
      kill: () => void (open = false),
    };
  }
}

export class SimManagerDisk extends SimDisk {
  readonly tasks = new Map<string, { task: Task; stopRequested: boolean }>();
  readonly log: LogEntry[] = [];
  /** Workers that joined, and drains (issue 14): kept like the tasks. */
  readonly nodes = new Map<string, NodeRecord>();

  open(): ManagerStore & { kill(): void } {
    let open = true;
    return {
      load: (): ManagerState => {
        const rows = [...this.tasks.values()];
        return { tasks: rows.map((r) => copy(r.task)), stopRequested: rows.filter((r) => r.stopRequested).map((r) => r.task.ID), log: this.log.slice(-1000) };
      },
      saveTask: (task, stopRequested) => {
        if (!open) return;
        this.check();
        this.tasks.set(task.ID, { task: copy(task), stopRequested });
      },
      appendLog: (entry) => {
        if (!open) return;
        this.check();
        this.log.push(entry);
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
