// Where a worker keeps its task records and the placements stopped on it, so a
// worker killed with -9 comes back with every task, adopts their containers,
// and still refuses a run that its stop overtook. A Completed record is read
// back at start only as a DoneTask, and in full when someone asks for it. The
// manager's store builds on the same records (src/store/manager-store.ts).
import type { Archive } from '../../machines/archive.js';
import { DoneTasks } from '../../machines/done-tasks.js';
import { doneOf } from '../../machines/retention.js';
import type { Tombstone } from '../vocabulary/tombstone.js';
import type { Task } from '../vocabulary/task.js';

export interface TaskState {
  /** Records not Completed, in the order first saved. */
  tasks: Task[];
  /** Completed tasks: their records stay in the store. */
  done: DoneTasks;
  tombstones: Tombstone[];
  /** What a store reads when asked instead of at start (machines/archive.ts): then `done` is read through it, and `tombstones` is empty. */
  archive?: Archive;
}

export interface TaskStore {
  load(): TaskState;
  /**
   * Writes records and removes pruned ones (null, with their tombstones) in
   * one transaction; durable when this returns (a process kill loses
   * nothing); throws when it cannot.
   */
  write(records: [string, Task | null][]): void;
  /** A record as stored; undefined when there is none. */
  read(id: string): Task | undefined;
  /** Writes stopped placements in one transaction; throws when it cannot. */
  saveTombstones(tombstones: Tombstone[]): void;
  close(): void;
}

/** Keeps records in memory only: everything is lost when the process ends. */
export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, Task>();
  private tombstones: Tombstone[] = [];
  load(): TaskState {
    const all = [...this.tasks.values()];
    return {
      tasks: all.filter((t) => t.StateName !== 'completed'),
      done: DoneTasks.of(all.filter((t) => t.StateName === 'completed').map(doneOf)),
      tombstones: [...this.tombstones],
    };
  }
  write(records: [string, Task | null][]): void {
    for (const [id, task] of records) {
      if (task) this.tasks.set(id, task);
      else {
        this.tasks.delete(id);
        this.tombstones = this.tombstones.filter((t) => t.id !== id);
      }
    }
  }
  read(id: string): Task | undefined {
    return this.tasks.get(id);
  }
  saveTombstones(tombstones: Tombstone[]): void {
    this.tombstones.push(...tombstones);
  }
  close(): void {}
}
