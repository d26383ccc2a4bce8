// Where a worker keeps its task records and the placements stopped on it, so a
// worker killed with -9 comes back with every task, adopts their containers,
// and still refuses a run that its stop overtook. The manager's store builds
// on the same records (src/store/manager-store.ts).
import type { Tombstone } from '../vocabulary/tombstone.js';
import type { Task } from '../vocabulary/task.js';

export interface TaskState {
  tasks: Task[];
  tombstones: Tombstone[];
}

export interface TaskStore {
  /** Every record, in the order first saved, and every stopped placement. */
  load(): TaskState;
  /** Writes a record; durable when this returns (a process kill loses nothing); throws when it cannot. */
  save(task: Task): void;
  /** Writes a stopped placement; throws when it cannot. */
  saveTombstone(tombstone: Tombstone): void;
  close(): void;
}

/** Keeps records in memory only: everything is lost when the process ends. */
export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, Task>();
  private readonly tombstones: Tombstone[] = [];
  load(): TaskState {
    return { tasks: [...this.tasks.values()], tombstones: [...this.tombstones] };
  }
  save(task: Task): void {
    this.tasks.set(task.ID, task);
  }
  saveTombstone(tombstone: Tombstone): void {
    this.tombstones.push(tombstone);
  }
  close(): void {}
}
