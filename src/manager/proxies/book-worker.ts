// The proxy of a worker that speaks the book's protocol (docs/api.md, "The
// book's protocol"): a child of the manager that speaks the same messages as
// remote-worker.ts, carried over the book's worker API.
//
// The book's worker has no event stream, so the proxy polls its GET /tasks and
// GET /stats every CUBE_BOOK_POLL_INTERVAL; a poll that reads well is the
// heartbeat, and the tasks that changed since the last one are reported. Its
// POST is not idempotent (a second POST of a task starts a second container
// under the same name, which Docker refuses), so a run is sent only after
// GET /tasks shows the worker does not have it, and never twice: a task the
// worker took waits in its queue, unlisted, until the worker gets to it.
// Its answers are read with src/book/read.ts: one that does not fit makes the
// worker suspect with the field named, and nothing is thrown out of here.
import { fromCallback } from 'xstate';
import { withHistory } from '../../../machines/task.js';
import { bookTaskEvent, statsFromBook, taskFromBook } from '../../book/convert.js';
import { CpuMeter } from '../../book/cpu-meter.js';
import { AnswerError, parseAnswer, readBookStats, readBookTasks } from '../../book/read.js';
import type { BookTask } from '../../book/shapes.js';
import type { Log } from '../../log.js';
import type { FromWorker, ToWorker } from '../../vocabulary/protocol.js';
import { TaskState, type Task, type TaskHistoryEntry } from '../../vocabulary/task.js';
import { callError } from '../../http/call-error.js';
import { answerBody } from '../../http/answer-body.js';

export interface BookWorkerOptions {
  /** CUBE_BOOK_POLL_INTERVAL. */
  pollMs: number;
  /** Limit of one call. */
  callTimeoutMs: number;
  /** Bytes of one answer read from the worker (CUBE_EVENT_MAX). */
  maxBytes: number;
  log: Log;
  /** The HTTP client every call goes through (as remote-worker.ts's); the global fetch when absent. */
  transport?: typeof fetch;
}

/** A task the worker took (201) but never lists is let go after this, so the manager's reconcile sends it again. */
const SENT_TTL_MS = 10 * 60_000;

const now = () => new Date().toISOString();

/** Why a call failed, in words. */
const failure = (error: unknown) => (error instanceof AnswerError ? error.message : callError(error));

/** The Message of a book error answer ({"HTTPStatusCode", "Message"}), else the text. */
function answerMessage(text: string): string {
  try {
    const body = parseAnswer(text) as { Message?: unknown } | null;
    if (typeof body?.Message === 'string') return body.Message.trim();
  } catch {
    // not JSON: the text says it
  }
  return text.trim().slice(0, 300) || 'no message';
}

/** What the proxy saw a task become, as a line of its history. */
function seenEntry(task: Task, worker: string, at: string): TaskHistoryEntry {
  switch (task.State) {
    case TaskState.Running:
      return { Time: at, Type: 'Started', Message: `container ${task.ContainerID.slice(0, 12)} runs on worker ${worker} (book protocol, seen by polling)` };
    case TaskState.Completed:
      return { Time: at, Type: 'Killed', Message: `stopped; worker ${worker} removed its container` };
    case TaskState.Failed:
      return { Time: at, Type: 'Terminated', Message: `worker ${worker} reports it Failed; the book's worker gives no exit code or reason` };
    default:
      return { Time: at, Type: 'Scheduled', Message: `worker ${worker} (book protocol) has it in its queue` };
  }
}

/** The facts a poll can change; a task whose facts are the same is not reported again. */
const facts = (t: Task) => JSON.stringify([t.State, t.ContainerID, t.HostPorts, t.StartTime, t.FinishTime, t.RestartCount, t.Name, t.Image]);

class BookWorkerProxy {
  private readonly base: string;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly meter = new CpuMeter();
  /** What was last reported of each task. */
  private readonly reported = new Map<string, Task>();
  /** The IDs the worker listed at the last poll. */
  private listed = new Set<string>();
  /** Runs the worker took (201) and does not list yet: its queue. */
  private readonly sent = new Map<string, { task: Task; at: number }>();
  /** Stops (with their placement) to send once the worker lists the task Running: it cannot stop one it has not started. */
  private readonly stops = new Map<string, string>();
  /**
   * The placement each task runs as here: the one whose run was sent, or the first
   * one the manager asks for of a task the worker had before this proxy started.
   * The book's worker knows nothing of placements; its reports carry none.
   */
  private readonly placements = new Map<string, string>();
  /** Failed tasks a user stopped: the book cannot stop them, so Cube counts them Completed. */
  private readonly released = new Set<string>();
  /** Report the whole list at the next poll: at the start, after a failure, when asked. */
  private fullReport = true;
  /** Tasks on the worker not Completed, for the heartbeat's TaskCount. */
  private active = 0;
  private commands: Promise<void> = Promise.resolve();

  constructor(
    private readonly worker: { name: string; address: string },
    private readonly options: BookWorkerOptions,
    private readonly sendBack: (message: FromWorker) => void,
  ) {
    this.base = `http://${worker.address}`;
  }

  start(): void {
    void this.poll();
  }

  stop(): void {
    this.abort.abort();
    clearTimeout(this.timer);
  }

  receive(message: ToWorker): void {
    if (message.type === 'worker.sync') {
      this.fullReport = true;
      return;
    }
    // The book's worker keeps every task it ran, for as long as it runs: there is nothing to tell it to forget.
    if (message.type === 'worker.gc') return;
    // One command at a time: a check of GET /tasks and the POST it allows must not interleave with another.
    this.commands = this.commands.then(() => (message.type === 'task.run' ? this.run(message.task) : this.stopTask(message.id, message.placement)));
  }

  private report(message: FromWorker): void {
    if (!this.abort.signal.aborted) this.sendBack(message);
  }

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const response = await (this.options.transport ?? fetch)(`${this.base}${path}`, {
      method,
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.callTimeoutMs)]),
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, text: await answerBody(response, this.options.maxBytes) };
  }

  /** GET of an answer, read by `read`; anything else is an error naming the route. */
  private async get<T>(path: string, read: (value: unknown) => T): Promise<T> {
    const { status, text } = await this.call('GET', path);
    if (status !== 200) throw new AnswerError(`GET ${path} answered ${status}: ${answerMessage(text)}`);
    try {
      return read(parseAnswer(text));
    } catch (error) {
      throw new AnswerError(`GET ${path}: ${(error as Error).message}`);
    }
  }

  private async poll(): Promise<void> {
    try {
      const [tasks, stats] = await Promise.all([this.get('/tasks', readBookTasks), this.get('/stats', readBookStats)]);
      const at = now();
      this.observe(tasks, at);
      const cpu = this.meter.read(stats.CpuStats, Date.now());
      this.report({ type: 'worker.stats', worker: this.worker.name, stats: statsFromBook(stats, cpu, this.worker.name, this.active), at });
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.fullReport = true; // what changed meanwhile is reported as a whole
      this.report({ type: 'worker.unreachable', worker: this.worker.name, reason: `${this.worker.address}: ${failure(error)}`, at: now() });
    } finally {
      if (!this.abort.signal.aborted) this.timer = setTimeout(() => void this.poll(), this.options.pollMs);
    }
  }

  /** A task as Cube records it now: the one last reported if nothing changed, else with a line of history. */
  private seen(task: BookTask, at: string): Task {
    const next = taskFromBook(task, this.worker.name);
    const previous = this.reported.get(task.ID);
    if (this.released.has(task.ID) && previous) return previous;
    if (previous && facts(previous) === facts(next)) return previous;
    const base = { ...next, Events: previous?.Events ?? [] };
    if (next.State === TaskState.Failed)
      base.Reason = `worker ${this.worker.name} reports it Failed (the book's worker says no more); Cube does not restart tasks on a book-protocol worker`;
    return previous?.State === next.State ? base : withHistory(base, seenEntry(next, this.worker.name, at));
  }

  private observe(tasks: BookTask[], at: string): void {
    const listing = new Map(tasks.map((t) => [t.ID, t]));
    // The book's worker forgets a task only when it restarts, and then its queue is gone too.
    if ([...this.listed].some((id) => !listing.has(id))) {
      this.sent.clear();
      this.fullReport = true;
    }
    this.listed = new Set(listing.keys());
    const expired = Date.now() - SENT_TTL_MS;
    for (const [id, sent] of this.sent) if (listing.has(id) || sent.at < expired) this.sent.delete(id);

    const view = [...[...listing.values()].map((t) => this.seen(t, at)), ...[...this.sent.values()].map((s) => s.task)];
    this.active = view.filter((t) => t.State !== TaskState.Completed).length;
    const full = this.fullReport;
    this.fullReport = false;
    for (const task of view) {
      const changed = this.reported.get(task.ID) !== task;
      this.reported.set(task.ID, task);
      if (changed && !full) this.report({ type: 'task.updated', worker: this.worker.name, task });
    }
    if (full) this.report({ type: 'worker.tasks', worker: this.worker.name, tasks: view, at });

    for (const [id, placement] of this.stops) {
      const task = listing.get(id);
      const waiting = task ? task.State <= TaskState.Scheduled : this.sent.has(id);
      if (waiting) continue;
      this.stops.delete(id);
      this.receive({ type: 'task.stop', id, placement, at });
    }
  }

  private update(task: Task): void {
    this.reported.set(task.ID, task);
    this.report({ type: 'task.updated', worker: this.worker.name, task });
  }

  /** A run this worker cannot carry out: refused, so the manager fails that placement and tells whoever asked. */
  private refuse(task: Task, reason: string, status: number): void {
    this.report({ type: 'task.refused', worker: this.worker.name, id: task.ID, placement: task.Placement, command: 'run', reason, status });
  }

  private async run(task: Task): Promise<void> {
    const { name, address } = this.worker;
    const at = now();
    try {
      const again = `worker ${name} speaks the book's protocol, which cannot run a task it has again (a second POST starts a second container under the same name, which Docker refuses); stop the task and run it under a new ID`;
      if (this.sent.has(task.ID)) {
        // In its queue already: the same placement is there; another one cannot be.
        if (this.placements.get(task.ID) !== task.Placement) this.refuse(task, again, 409);
        return;
      }
      const there = (await this.get('/tasks', readBookTasks)).find((t) => t.ID === task.ID);
      if (there) {
        const running = this.placements.get(task.ID) ?? task.Placement;
        this.placements.set(task.ID, running);
        if (running !== task.Placement) this.refuse(task, again, 409);
        this.update(this.seen(there, at)); // what it runs, as it runs it
        return;
      }
      if (task.Env.length > 0 || task.Cmd.length > 0) {
        return this.refuse(task, `worker ${name} speaks the book's protocol, which has no Env or Cmd; run the task on a Cube worker, or without them`, 409);
      }
      const event = bookTaskEvent(task, at);
      const { status, text } = await this.call('POST', '/tasks', event);
      if (status === 201) {
        // Reported as the worker holds it: the book's keys, Scheduled, nothing of Cube's own.
        const scheduled = taskFromBook(event.Task, name);
        const queued = withHistory(scheduled, seenEntry(scheduled, name, at));
        this.sent.set(task.ID, { task: queued, at: Date.now() });
        this.placements.set(task.ID, task.Placement);
        return this.update(queued);
      }
      if (status >= 400 && status < 500) return this.refuse(task, `worker ${name} (book protocol) refused the task: ${answerMessage(text)}`, status);
      throw new AnswerError(`POST /tasks answered ${status}: ${answerMessage(text)}`);
    } catch (error) {
      if (this.abort.signal.aborted) return;
      const reason = `${address}: ${failure(error)}`;
      this.options.log(`worker ${name}: run of ${task.ID} (placement ${task.Placement}) not delivered: ${reason}`);
      this.report({ type: 'task.undelivered', worker: name, id: task.ID, placement: task.Placement, command: 'task.run', reason, at: now() });
    }
  }

  /** Stops whatever the worker runs of the task: it has one copy at most, whatever its placement. */
  private async stopTask(id: string, placement: string): Promise<void> {
    const { name, address } = this.worker;
    const at = now();
    try {
      const there = (await this.get('/tasks', readBookTasks)).find((t) => t.ID === id);
      if (!there) {
        if (this.sent.has(id)) return void this.stops.set(id, placement); // still in its queue: stopped once it runs
        return this.report({ type: 'task.refused', worker: name, id, placement, command: 'stop', reason: `no task ${id} on worker ${name}`, status: 404 });
      }
      switch (there.State) {
        case TaskState.Pending:
        case TaskState.Scheduled:
          return void this.stops.set(id, placement);
        case TaskState.Completed:
          return this.update(this.seen(there, at));
        case TaskState.Failed: {
          // The book can neither stop nor remove a Failed task; Cube lets it go, and says where its container is.
          const why = `stopped by user; worker ${name} speaks the book's protocol and cannot remove a Failed task's container${there.ContainerID ? ` ${there.ContainerID.slice(0, 12)}` : ''}: remove it there with docker rm ${there.Name}`;
          const done = { ...this.seen(there, at), State: TaskState.Completed, StateName: 'completed' as const, FinishTime: at, Reason: '' };
          this.released.add(id);
          return this.update(withHistory(done, { Time: at, Type: 'Killed', Message: why }));
        }
      }
      const { status, text } = await this.call('DELETE', `/tasks/${encodeURIComponent(id)}`);
      if (status >= 200 && status < 300) return; // it stops the task from its queue; a poll sees it Completed
      if (status >= 400 && status < 500)
        return this.report({ type: 'task.refused', worker: name, id, placement, command: 'stop', reason: answerMessage(text), status });
      throw new AnswerError(`DELETE /tasks/${id} answered ${status}: ${answerMessage(text)}`);
    } catch (error) {
      if (this.abort.signal.aborted) return;
      const reason = `${address}: ${failure(error)}`;
      this.options.log(`worker ${name}: stop of ${id} not delivered: ${reason}`);
      this.report({ type: 'task.undelivered', worker: name, id, placement, command: 'task.stop', reason, at: now() });
    }
  }
}

export function bookWorkerActor(options: BookWorkerOptions) {
  return fromCallback<ToWorker, { name: string; address: string }>(({ input, sendBack, receive }) => {
    const proxy = new BookWorkerProxy(input, options, sendBack);
    receive((message) => proxy.receive(message));
    proxy.start();
    return () => proxy.stop();
  });
}
