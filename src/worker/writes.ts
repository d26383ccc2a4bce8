// A worker's writes: the intents of the commands it takes (a new task's
// record, a stopped placement), written before they are carried out, and
// every changed record, written behind (src/store/write-behind.ts).
import type { Log } from '../log.js';
import type { TaskStore } from '../store/task-store.js';
import { WriteBehind, writeProblem } from '../store/write-behind.js';
import type { Task } from '../vocabulary/task.js';
import type { Tombstone } from '../vocabulary/tombstone.js';

export class WorkerWrites {
  private readonly records: WriteBehind<string, Task>;

  constructor(
    readonly store: TaskStore,
    what: string,
    log: Log,
  ) {
    this.records = new WriteBehind((_, task) => store.save(task), { what, log });
  }

  /** Writes what a command needs stored before it is carried out; throws an Error saying why it could not. */
  intent(intent: { task?: Task; tombstone?: Tombstone }): void {
    if (intent.tombstone) {
      try {
        this.store.saveTombstone(intent.tombstone);
      } catch (error) {
        throw new Error(writeProblem(error));
      }
    }
    if (intent.task) this.records.must(intent.task.ID, intent.task);
  }

  save(task: Task): void {
    this.records.save(task.ID, task);
  }

  problem(): string {
    return this.records.problem();
  }

  close(): void {
    this.records.close();
    this.store.close();
  }
}
