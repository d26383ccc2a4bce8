// The manager as its HTTP edge sees it: reads from the book, commands to the
// manager actor, and every change saved before the request is answered.
import type { ActorRefFrom } from 'xstate';
import type { Book } from '../../machines/manager/book.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { ManagerEmitted, ManagerMachine } from '../../machines/manager.js';
import { ask, waitForTask, type CommandTarget } from '../actors/requests.js';
import { HttpError } from '../http/errors.js';
import type { ManagerStore } from '../store/manager-store.js';
import { TaskState, type Task } from '../vocabulary/task.js';
import { nodeView, type NodeView } from './node-view.js';

export type ManagerRef = ActorRefFrom<ManagerMachine>;

const now = () => new Date().toISOString();

export class ManagerService {
  private readonly target: CommandTarget;

  constructor(
    readonly actor: ManagerRef,
    store: ManagerStore,
  ) {
    this.target = actor as unknown as CommandTarget;
    actor.on('task.updated', ({ task }) => store.saveTask(task, this.book().stopRequested.has(task.ID)));
    actor.on('task.stopPending', ({ task }) => store.saveTask(task, true));
    actor.on('log', ({ entry }) => store.appendLog(entry));
  }

  book(): Book {
    return this.actor.getSnapshot().context.book;
  }

  tasks(): Task[] {
    return [...this.book().tasks.values()];
  }

  task(id: string): Task {
    const task = this.book().tasks.get(id);
    if (!task) throw new HttpError(404, `no task ${id}; GET /tasks lists every task`);
    return task;
  }

  nodes(): NodeView[] {
    return [...this.book().workers.values()].map(nodeView);
  }

  log(): LogEntry[] {
    return this.book().log;
  }

  submit(task: Task): Task {
    const refusal = ask(this.target, { type: 'task.submit', task, at: now() });
    if (refusal) throw new HttpError(409, refusal);
    return this.task(task.ID);
  }

  /** Stops a task; true once its worker confirms within `waitMs`, false if it has not yet. */
  async stop(id: string, waitMs: number): Promise<boolean> {
    this.task(id);
    const refusal = ask(this.target, { type: 'task.stop', id, at: now() });
    if (refusal) throw new HttpError(409, refusal);
    const stopped = await waitForTask(this.target, id, this.book().tasks.get(id), (t) => t.State === TaskState.Completed, AbortSignal.timeout(waitMs));
    return stopped !== undefined;
  }

  /** Everything the manager reports, for GET /events. */
  onEvent(listener: (event: ManagerEmitted) => void): () => void {
    const subscriptions = (['task.updated', 'worker.changed', 'log'] as const).map((type) => this.actor.on(type, listener));
    return () => subscriptions.forEach((s) => s.unsubscribe());
  }
}
