// The manager as its HTTP edge sees it: reads from the book, commands to the
// manager actor, and every change saved before the request is answered.
import { setMaxListeners } from 'node:events';
import type { ActorRefFrom } from 'xstate';
import type { Book } from '../../machines/manager/book.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { ManagerEmitted, ManagerMachine } from '../../machines/manager.js';
import { askDurably, waitForTask, type CommandTarget, type Refusal } from '../actors/requests.js';
import { HttpError } from '../http/errors.js';
import { ChangeLog } from '../actors/change-log.js';
import { samePlacement } from '../vocabulary/placement.js';
import type { ManagerWriter } from './writes.js';
import { TaskState, type Task } from '../vocabulary/task.js';
import { nodeView, type NodeView } from './node-view.js';

export type ManagerRef = ActorRefFrom<ManagerMachine>;

const now = () => new Date().toISOString();

/** Changes kept for resuming streams (GET /events?since=N): a reader away for longer lists again (410). */
const KEPT_CHANGES = 4096;

/** How a restart or update of a task ended: taken by its worker, refused, or not confirmed in time. */
export type Submitted = { task: Task; confirmed: boolean };

export class ManagerService {
  private readonly target: CommandTarget;
  private readonly changes: ChangeLog<Task>;
  /** Per task, the command being carried out: the next waits for it, so one intent per task is written at a time. */
  private readonly lanes = new Map<string, Promise<unknown>>();
  /** Aborted when this manager stops serving (it no longer leads): commands still waiting are answered 503. */
  private readonly serving = new AbortController();

  constructor(
    readonly actor: ManagerRef,
    private readonly writes: ManagerWriter,
  ) {
    setMaxListeners(0, this.serving.signal); // every command waiting for its write listens
    this.target = actor as unknown as CommandTarget;
    this.changes = new ChangeLog<Task>(KEPT_CHANGES, this.book().seq);
    actor.on('task.updated', ({ task }) => this.changes.add(task.Version, task));
    actor.on('log', ({ entry }) => writes.appendLog(entry));
  }

  /** Stops taking commands: those waiting for their write are answered 503 with `reason`. */
  close(reason: string): void {
    this.serving.abort(new Error(reason));
  }

  /**
   * Sends a user's command about task `id` once the one before it is done,
   * and resolves once its intent is written and it is carried out (or refused).
   */
  private command(id: string, command: { type: string } & Record<string, unknown>, beforeSend = () => {}): Promise<Refusal | undefined> {
    const waiting = (requestId: string) => this.book().intents.get(id)?.requestId === requestId;
    const previous = this.lanes.get(id) ?? Promise.resolve();
    const sent = previous.then(() => {
      beforeSend();
      return askDurably(this.target, id, command, waiting, this.serving.signal);
    });
    this.lanes.set(id, sent);
    void sent.then(() => {
      if (this.lanes.get(id) === sent) this.lanes.delete(id);
    });
    return sent;
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

  /** The version of the newest change. */
  version(): number {
    return this.book().seq;
  }

  /** The changed records after version `since`, oldest first; undefined when they are not all kept any more. */
  changesSince(since: number): Task[] | undefined {
    return this.changes.since(since);
  }

  /** The oldest version a stream can resume from. */
  oldestResumable(): number {
    return this.changes.oldest();
  }

  /**
   * Takes a task (docs/spec.md §1). A new task is answered once it is stored.
   * A restart or a changed definition of a placed task is a new placement,
   * answered once its worker took it (`confirmed`), or refused with the
   * worker's reason; when the worker says nothing within `waitMs`, it is
   * answered unconfirmed (202) and goes on.
   */
  async submit(task: Task, waitMs: number): Promise<Submitted> {
    let before: Task | undefined;
    const answered = this.placementAnswer(task.ID, AbortSignal.timeout(waitMs));
    const refusal = await this.command(task.ID, { type: 'task.submit', task, at: now() }, () => (before = this.book().tasks.get(task.ID)));
    if (refusal) {
      answered.cancel();
      throw new HttpError(refusal.status, refusal.reason);
    }
    await this.stored();
    const after = this.task(task.ID);
    const sentToWorker = before !== undefined && after.Placement !== before.Placement && after.Worker !== '' && after.State !== TaskState.Pending;
    if (!sentToWorker) {
      answered.cancel();
      return { task: after, confirmed: true };
    }
    const answer = await answered.for(after.Placement);
    if (answer?.refusal) throw new HttpError(409, answer.refusal);
    return { task: this.task(task.ID), confirmed: answer !== undefined };
  }

  /**
   * Stops a task; true once its worker confirms within `waitMs` (so that
   * placement never runs there again), false if it has not yet: the stop is
   * stored and owed to the worker until it answers.
   */
  async stop(id: string, waitMs: number): Promise<boolean> {
    // Whether the task exists is known only in its turn (a POST of it may still be writing).
    const refusal = await this.command(id, { type: 'task.stop', id, at: now() });
    if (refusal?.status === 404) this.task(id);
    if (refusal) throw new HttpError(refusal.status, refusal.reason);
    const confirmed = (task: Task) => task.State === TaskState.Completed && !this.book().stopRequested.has(id);
    const stopped = await waitForTask(this.target, id, this.book().tasks.get(id), confirmed, AbortSignal.timeout(waitMs));
    if (stopped) await this.stored();
    return stopped !== undefined;
  }

  /**
   * With a store that writes behind (etcd), waits until what the answer will
   * show is stored too; a manager that stops leading meanwhile answers 503.
   */
  private stored(): Promise<void> {
    const settled = this.writes.settled?.();
    if (!settled) return Promise.resolve();
    const signal = this.serving.signal;
    return new Promise((resolve, reject) => {
      const fail = () => reject(new HttpError(503, String((signal.reason as Error)?.message ?? signal.reason)));
      if (signal.aborted) return fail();
      signal.addEventListener('abort', fail, { once: true });
      void settled.then(() => {
        signal.removeEventListener('abort', fail);
        resolve();
      });
    });
  }

  /** Everything the manager reports, for GET /events. */
  onEvent(listener: (event: ManagerEmitted) => void): () => void {
    const subscriptions = (['task.updated', 'worker.changed', 'log'] as const).map((type) => this.actor.on(type, listener));
    return () => subscriptions.forEach((s) => s.unsubscribe());
  }

  /**
   * Listens, from before a command is sent, for a worker's answer to a new
   * placement of task `id` (it may come while the command is handled).
   */
  private placementAnswer(id: string, signal: AbortSignal) {
    const answers: { placement: string; refusal?: string }[] = [];
    let waiting: ((answer: { placement: string; refusal?: string } | undefined) => void) | undefined;
    let placement: string | undefined;
    const subscription = this.actor.on('placement.answered', (answer) => {
      if (answer.id !== id) return;
      answers.push(answer);
      if (waiting && placement !== undefined && samePlacement(answer.placement, placement)) waiting(answer);
    });
    const cancel = () => subscription.unsubscribe();
    return {
      cancel,
      for: (wanted: string) =>
        new Promise<{ placement: string; refusal?: string } | undefined>((resolve) => {
          const done = (answer: { placement: string; refusal?: string } | undefined) => {
            cancel();
            signal.removeEventListener('abort', timeout);
            resolve(answer);
          };
          const timeout = () => done(undefined);
          placement = wanted;
          const early = answers.find((a) => samePlacement(a.placement, wanted));
          if (early) return done(early);
          if (signal.aborted) return done(undefined);
          waiting = done;
          signal.addEventListener('abort', timeout);
        }),
    };
  }
}
