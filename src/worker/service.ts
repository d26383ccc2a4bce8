// The worker as the HTTP edge sees it: reads come from the worker actor's
// records, writes are commands to the actor (docs/spec.md §3: the API only queues
// desired state), and every change is saved to the store before the request
// that caused it is answered.
import type { ActorRefFrom } from 'xstate';
import type { WorkerMachine } from '../../machines/worker.js';
import { ask, waitForTask, type CommandTarget } from '../actors/requests.js';
import { HttpError } from '../http/errors.js';
import type { FromWorker, WorkerStats } from '../vocabulary/protocol.js';
import type { ContainerRuntime } from '../runtime/types.js';
import type { TaskStore } from '../store/task-store.js';
import { TaskState, type Task } from '../vocabulary/task.js';

export type WorkerRef = ActorRefFrom<WorkerMachine>;

const now = () => new Date().toISOString();

export class WorkerService {
  private readonly target: CommandTarget;

  constructor(
    readonly name: string,
    readonly actor: WorkerRef,
    store: TaskStore,
    /** Its container engine, for what the API reads from it directly (task logs). */
    readonly runtime?: ContainerRuntime,
  ) {
    this.target = actor as unknown as CommandTarget;
    actor.on('task.updated', ({ task }) => store.save(task));
  }

  tasks(): Task[] {
    return [...this.actor.getSnapshot().context.tasks.values()];
  }

  task(id: string): Task {
    const task = this.actor.getSnapshot().context.tasks.get(id);
    if (!task) throw new HttpError(404, `no task ${id} on worker ${this.name}; GET /tasks lists the tasks it has`);
    return task;
  }

  stats(): WorkerStats | null {
    return this.actor.getSnapshot().context.stats;
  }

  /**
   * Runs a task, or restarts it when it is already Running or Failed (docs/spec.md §1);
   * with `ensure`, leaves a task it already has as it is.
   */
  run(task: Task, ensure = false): Task {
    const refusal = ask(this.target, { type: 'task.run', task, at: now(), ensure });
    if (refusal) throw new HttpError(409, refusal);
    return this.task(task.ID);
  }

  /** Stops a task and resolves once its container is gone (docs/spec.md §3 DELETE). */
  async stop(id: string): Promise<Task | undefined> {
    const current = this.task(id);
    const refusal = ask(this.target, { type: 'task.stop', id, at: now() });
    if (refusal) throw new HttpError(409, refusal);
    return waitForTask(this.target, id, this.actor.getSnapshot().context.tasks.get(id) ?? current, (t) => t.State === TaskState.Completed);
  }

  /** Every message the worker reports, for its event stream. */
  onMessage(listener: (message: FromWorker) => void): () => void {
    const subscriptions = (['task.updated', 'worker.stats'] as const).map((type) => this.actor.on(type, listener));
    return () => subscriptions.forEach((s) => s.unsubscribe());
  }
}
