// The manager as its HTTP edge sees it: reads from the ledger, commands to the
// manager actor, and every change saved before the request is answered.
import { setMaxListeners } from 'node:events';
import type { ActorRefFrom } from 'xstate';
import { ledgerMeta, type Ledger } from '../../../machines/manager/ledger.js';
import type { Swept } from '../../../machines/manager/retention.js';
import type { LogEntry } from '../../vocabulary/log-entry.js';
import type { ManagerEmitted, ManagerMachine } from '../../../machines/manager.js';
import { nanoid } from 'nanoid';
import { CommandBatch } from '../../actors/command-batch.js';
import { Lanes } from '../../actors/lanes.js';
import { askDurably, waitForTask, type CommandTarget, type Refusal } from '../../actors/requests.js';
import type { IntentBatch } from '../../store/intent-batch.js';
import { HttpError } from '../../http/errors.js';
import { ChangeLog } from '../../actors/change-log.js';
import { samePlacement } from '../../vocabulary/placement.js';
import type { ManagerWriter } from '../../store/manager-writes.js';
import { silentLog, type Log } from '../../log.js';
import { TaskState, type StateName, type Task } from '../../vocabulary/task.js';
import { nodeView, type NodeView, type Scheme } from '../views/node-view.js';
import { positionOf, TaskOrder, tokenOf } from './task-order.js';
import { bindRefusal } from './bind-refusal.js';

export type ManagerRef = ActorRefFrom<ManagerMachine>;

const now = () => new Date().toISOString();

/** Changes kept for resuming streams (GET /events?since=N): a reader away for longer lists again (410). */
const KEPT_CHANGES = 4096;

/** How a restart or update of a task ended: taken by its worker, refused, or not confirmed in time. */
export type Submitted = { task: Task; confirmed: boolean };

/** Which tasks a listing wants: any of these states (StateName), on any of these workers, copies of any of these services; all when absent. */
export interface TaskQuery {
  states?: ReadonlySet<StateName>;
  workers?: ReadonlySet<string>;
  services?: ReadonlySet<string>;
}

/** One page of a listing: `next` continues it (a token), absent on the last page. */
export interface Page {
  tasks: Task[];
  next: string | undefined;
}

/** Entries a page looks at, at most, to fill itself: a rare filter makes short pages, never long waits. */
const PAGE_SCAN = 20_000;

export class ManagerService {
  private readonly target: CommandTarget;
  private readonly changes: ChangeLog<Task>;
  private readonly order = new TaskOrder();
  /** Group commit of users' commands (src/actors/command-batch.ts); absent: each is sent alone. */
  private readonly batch: CommandBatch | undefined;
  /** Per task, the command being carried out: the next waits for it, so one intent per task is written at a time. */
  private readonly lanes = new Lanes();
  /** Aborted when this manager stops serving (it no longer leads): commands still waiting are answered 503. */
  private readonly serving = new AbortController();

  constructor(
    readonly actor: ManagerRef,
    private readonly writes: ManagerWriter,
    log: Log = silentLog,
    /** Group commit of intents (src/store/intent-batch.ts): commands of one turn are sent together, their intents written in one transaction. */
    intents?: IntentBatch,
    /** How the manager calls its workers, as GET /nodes shows their Api. */
    readonly scheme: Scheme = 'http',
  ) {
    setMaxListeners(0, this.serving.signal); // every command waiting for its write listens
    this.target = actor as unknown as CommandTarget;
    this.batch = intents && new CommandBatch(this.target, intents);
    const ledger = this.ledger();
    // Changes before this start are not in the log: a stream that resumes from before it lists again.
    this.changes = new ChangeLog<Task>(KEPT_CHANGES, ledger.seq);
    writes.metaFrom(() => ledgerMeta(this.ledger()));
    for (const task of ledger.tasks.values()) this.order.add(task.ID, task.SubmitTime);
    for (const [id, submitted] of ledger.done.times('SubmitTime')) this.order.add(id, submitted);
    actor.on('task.updated', ({ task }) => {
      this.changes.add(task.Version, task);
      this.order.add(task.ID, task.SubmitTime);
    });
    actor.on('tasks.pruned', ({ ids }) => ids.forEach((id) => this.order.remove(id)));
    actor.on('log', ({ entry }) => {
      writes.appendLog(entry);
      if (entry.Type === 'Pruned') log(entry.Message); // one line per sweep
    });
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
    const waiting = (requestId: string) => this.ledger().intents.get(id)?.requestId === requestId;
    // The command before may have failed (its caller heard why): this one goes all the same.
    return this.lanes.run(id, () =>
      askDurably(this.target, id, command, waiting, this.serving.signal, (make) => {
        if (!this.batch) {
          beforeSend();
          return this.target.send(make());
        }
        return this.batch.send(() => {
          beforeSend();
          return make();
        });
      }),
    );
  }

  ledger(): Ledger {
    return this.actor.getSnapshot().context.ledger;
  }

  /** Every task that is not Completed: what the live view and `cube status -w` start from. */
  liveTasks(): Task[] {
    return [...this.ledger().tasks.values()];
  }

  /** Every task the query wants, in the order they came, each read as the listing reaches it (a Completed one from the store). */
  *tasks(query: TaskQuery = {}): Generator<Task> {
    for (const { id } of this.order.from('')) {
      const task = this.matching(id, query);
      if (task) yield task;
    }
  }

  /** At most `limit` tasks the query wants, after the position `token` names ("" for the first page). */
  page(query: TaskQuery, limit: number, token: string): Page {
    const from = token === '' ? '' : positionOf(token);
    if (from === undefined)
      throw new HttpError(
        400,
        `continue: ${JSON.stringify(token.slice(0, 80))} is not a token from GET /tasks; send the Cube-Continue of the page before, or leave it out for the first page`,
      );
    const tasks: Task[] = [];
    let scanned = 0;
    const entries = this.order.from(from);
    for (let entry = entries.next(); !entry.done; entry = entries.next()) {
      const task = this.matching(entry.value.id, query);
      if (task) tasks.push(task);
      if (tasks.length === limit || ++scanned === PAGE_SCAN) {
        // More may follow: the next page starts after this position.
        return { tasks, next: entries.next().done ? undefined : tokenOf(entry.value.position) };
      }
    }
    return { tasks, next: undefined };
  }

  /** How many finished tasks were pruned so far, and how many are kept. */
  retention(): { pruned: number; finished: number; completed: number } {
    const ledger = this.ledger();
    return { pruned: ledger.pruned, finished: ledger.finished.size, completed: ledger.done.size };
  }

  /** Task `id`, a Completed one read from the store; undefined when there is none. */
  find(id: string): Task | undefined {
    const ledger = this.ledger();
    return ledger.tasks.get(id) ?? (ledger.done.has(id) ? this.writes.read(id) : undefined);
  }

  task(id: string): Task {
    const task = this.find(id);
    if (!task) throw new HttpError(404, `no task ${id}; GET /tasks lists every task (finished ones are kept for CUBE_RETENTION, then pruned)`);
    return task;
  }

  /** The task `id` if the query wants it: a Completed one is read from the store only then. */
  private matching(id: string, { states, workers, services }: TaskQuery): Task | undefined {
    const ledger = this.ledger();
    const live = ledger.tasks.get(id);
    if (live) {
      const wanted = (!states || states.has(live.StateName)) && (!workers || workers.has(live.Worker)) && (!services || services.has(live.Service));
      return wanted ? live : undefined;
    }
    const done = ledger.done.get(id);
    if (!done || (states && !states.has('completed')) || (workers && !workers.has(done.Worker))) return undefined;
    // A DoneTask does not know its service: the record says.
    const record = this.writes.read(id);
    return record && (!services || services.has(record.Service)) ? record : undefined;
  }

  nodes(): NodeView[] {
    return [...this.ledger().workers.values()].map((worker) => nodeView(worker, this.scheme));
  }

  log(): LogEntry[] {
    return this.ledger().log;
  }

  /** The version of the newest change. */
  version(): number {
    return this.ledger().seq;
  }

  /** The changed records after version `since`, oldest first; undefined when they are not all kept any more (or were never made here). */
  changesSince(since: number): Task[] | undefined {
    return this.changes.since(since, this.version());
  }

  /** A worker removed a named volume: the tasks that mount it are tied to that worker no more. */
  volumeRemoved(worker: string, volume: string): void {
    this.actor.send({ type: 'volume.removed', worker, volume, at: now() });
  }

  /** Why no worker can run `task`'s binds (src/manager/run/bind-refusal.ts), or undefined. */
  bindRefusal(task: Task): string | undefined {
    return bindRefusal(this.ledger().workers.values(), task.Mounts);
  }

  /** Sweeps finished tasks now (POST /gc), and has every worker sweep its own. */
  gc(): Swept {
    return this.sweep(undefined);
  }

  /**
   * Forgets one finished task now, on the manager and its worker, whatever its
   * age (DELETE /tasks/{id}?forget=true): 404 for a task the manager does not
   * have, 409 for one still live, or with a command or a stop still owed.
   */
  forget(id: string): void {
    const task = this.task(id);
    if (!this.ledger().finished.has(id)) {
      throw new HttpError(409, `task ${id} is ${task.StateName}: only a finished task can be forgotten; stop it first (DELETE /tasks/${id}), then forget it`);
    }
    if (this.sweep(id).pruned === 0) {
      throw new HttpError(409, `task ${id} has a command or a stop that its worker ${task.Worker} has not confirmed yet; forget it once that is done`);
    }
  }

  /** One sweep of the manager's machine, or the forgetting of the one task `only`, answered at once. */
  private sweep(only: string | undefined): Swept {
    let swept: Swept | undefined;
    const requestId = nanoid();
    const subscription = this.actor.on('retention.swept', (event) => {
      if (event.requestId === requestId) swept = event;
    });
    try {
      this.actor.send({ type: 'retention.sweep', at: now(), requestId, ...(only === undefined ? {} : { only }) });
    } finally {
      subscription.unsubscribe();
    }
    return { pruned: swept!.pruned, kept: swept!.kept, total: swept!.total };
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
    const answered = this.placementAnswer(task.ID, waitMs);
    const refusal = await this.command(task.ID, { type: 'task.submit', task, at: now() }, () => (before = this.ledger().tasks.get(task.ID)));
    if (refusal) {
      answered?.cancel();
      throw new HttpError(refusal.status, refusal.reason);
    }
    await this.stored();
    const after = this.task(task.ID);
    const sentToWorker = before !== undefined && after.Placement !== before.Placement && after.Worker !== '' && after.State !== TaskState.Pending;
    if (!sentToWorker || !answered) {
      answered?.cancel();
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
    const confirmed = (task: Task) => task.State === TaskState.Completed && !this.ledger().stopRequested.has(id);
    const stopped = await waitForTask(this.target, id, this.ledger().tasks.get(id), confirmed, AbortSignal.timeout(waitMs));
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

  /** Everything the manager reports, for GET /events (and tasks that left the ledger, for its metrics). */
  onEvent(listener: (event: ManagerEmitted) => void): () => void {
    const subscriptions = (['task.updated', 'worker.changed', 'worker.removed', 'log', 'tasks.pruned'] as const).map((type) => this.actor.on(type, listener));
    return () => subscriptions.forEach((s) => s.unsubscribe());
  }

  /**
   * Listens, from before a command is sent, for a worker's answer to a new
   * placement of task `id` (it may come while the command is handled). The
   * wait of `waitMs` starts when one is awaited: a new task, answered once
   * stored, never makes the timer.
   */
  private placementAnswer(id: string, waitMs: number) {
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
          let timer: NodeJS.Timeout | undefined;
          const done = (answer: { placement: string; refusal?: string } | undefined) => {
            cancel();
            clearTimeout(timer);
            resolve(answer);
          };
          placement = wanted;
          const early = answers.find((a) => samePlacement(a.placement, wanted));
          if (early) return done(early);
          waiting = done;
          // Unanswered by then: answered unconfirmed. The timer does not hold a stopping process.
          timer = setTimeout(done, waitMs, undefined).unref();
        }),
    };
  }
}
