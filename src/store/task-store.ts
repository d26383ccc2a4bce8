// Where a worker keeps its task records, so a worker killed with -9 comes back
// with every task and adopts their containers. The manager's store builds on
// the same records (src/store/manager-store.ts).
import type { Task } from '../vocabulary/task.js';

export interface TaskStore {
  /** Every record, in the order first saved. */
  load(): Task[];
  /** Writes a record; durable when this returns (a process kill loses nothing). */
  save(task: Task): void;
  close(): void;
}

/** Keeps records in memory only: everything is lost when the process ends. */
export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, Task>();
  load(): Task[] {
    return [...this.tasks.values()];
  }
  save(task: Task): void {
    this.tasks.set(task.ID, task);
  }
  close(): void {}
}
