// The worker as the HTTP edge sees it: reads come from the worker actor's
// records, writes are commands to the actor (docs/spec.md §3: the API only
// queues desired state). A command's intent is written before it is carried
// out (machines/worker.ts, `persistIntent`), so a refusal, 503 included, is
// known when `send` returns. Every change is kept in a change log, so a
// manager whose stream broke resumes where it was.
import type { ActorRefFrom } from 'xstate';
import type { WorkerMachine } from '../../machines/worker.js';
import { ChangeLog } from '../actors/change-log.js';
import { ask, waitForTask, type CommandTarget } from '../actors/requests.js';
import { HttpError } from '../http/errors.js';
import type { FromWorker, WorkerStats } from '../vocabulary/protocol.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { TaskState, type Task } from '../vocabulary/task.js';

export type WorkerRef = ActorRefFrom<WorkerMachine>;

/** Changes kept for resuming streams: a manager that was away for longer lists again. */
const KEPT_CHANGES = 4096;

const now = () => new Date().toISOString();

export class WorkerService {
  private readonly target: CommandTarget;
  private readonly changes: ChangeLog<FromWorker>;

  constructor(
    readonly name: string,
    readonly actor: WorkerRef,
    /** Its container engine, for what the API reads from it directly (task logs). */
    readonly runtime?: ContainerRuntime,
  ) {
    this.target = actor as unknown as CommandTarget;
    this.changes = new ChangeLog<FromWorker>(KEPT_CHANGES, actor.getSnapshot().context.seq);
    actor.on('task.updated', (message) => this.changes.add(message.task.Version, message));
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
   * Runs a task as placement `placement` (the manager's runs name one), or, for
   * a client's POST that names none, as docs/spec.md §1 says: a Running or
   * Failed task restarts, a Completed one is refused.
   */
  run(task: Task, placement = ''): Task {
    const refusal = ask(this.target, { type: 'task.run', task: { ...task, Placement: placement }, at: now() });
    if (refusal) throw new HttpError(refusal.status, refusal.reason);
    return this.task(task.ID);
  }

  /** Stops a task (only placement `placement`, when named) and resolves once its container is gone (docs/spec.md §3 DELETE). */
  async stop(id: string, placement = ''): Promise<Task | undefined> {
    const current = this.actor.getSnapshot().context.tasks.get(id);
    const refusal = ask(this.target, { type: 'task.stop', id, placement, at: now() });
    if (refusal) throw new HttpError(refusal.status, refusal.reason);
    return waitForTask(this.target, id, this.actor.getSnapshot().context.tasks.get(id) ?? current, (t) => t.State === TaskState.Completed);
  }

  /** The changes after version `since`, or undefined when they are no longer all kept. */
  changesSince(since: number): FromWorker[] | undefined {
    return this.changes.since(since);
  }

  /** Every message the worker reports, for its event stream. */
  onMessage(listener: (message: FromWorker) => void): () => void {
    const subscriptions = (['task.updated', 'worker.stats'] as const).map((type) => this.actor.on(type, listener));
    return () => subscriptions.forEach((s) => s.unsubscribe());
  }
}
