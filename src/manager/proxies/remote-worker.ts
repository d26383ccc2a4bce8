// The proxy of a worker on another host (docs/architecture.md §2): a child of the
// manager that speaks the same messages as a worker actor, carried over the
// worker API. Commands become HTTP calls, one after another per task, so a
// stop never overtakes its run; the worker's event stream (task changes and
// heartbeats) becomes messages to the manager, each checked first
// (src/task/reports.ts): an answer Cube cannot read makes the worker suspect,
// naming the field. A call that fails is reported as undelivered, so the
// manager can place the task elsewhere; a stream that fails or falls silent is
// reopened with backoff, resuming after the last version it saw.
import { fromCallback } from 'xstate';
import { Lanes } from '../../actors/lanes.js';
import type { RemoteWorkerInput } from '../../../machines/manager.js';
import type { FromWorker, ToWorker, WorkerStats } from '../../vocabulary/protocol.js';
import { readBookKeys } from '../../book/read.js';
import { ValidationError } from '../../task/codec.js';
import { readListing } from '../../task/listing.js';
import { readStats, readTask } from '../../task/reports.js';
import { samePlacement } from '../../vocabulary/placement.js';
import { callError } from '../../http/call-error.js';
import { AnswerTooLarge, answerJson, answerText } from '../../http/answer-body.js';
import { cubeHeaders } from '../../http/cube-headers.js';
import { EventTooLarge, readEvents } from '../../http/sse-client.js';
import { backoff } from '../../backoff.js';
import type { Log } from '../../log.js';

export interface RemoteWorkerOptions {
  token: string;
  /** Silence on the stream after which it is reopened (the heartbeat TTL). */
  idleMs: number;
  /** Bytes of one event or answer read from the worker (CUBE_EVENT_MAX). */
  maxBytes: number;
  /** The cluster's identity, named on every call (Cube-Cluster): the worker takes it, or refuses a manager of another cluster. */
  cluster?: string | undefined;
  /** Limit of one call; a stop waits for the container to stop, so it gets more. */
  callTimeoutMs: number;
  stopTimeoutMs: number;
  log: Log;
  /** 'https' with the TLS client's transport (src/tls/client.ts); plain HTTP when absent. */
  scheme?: 'http' | 'https';
  /**
   * The HTTP client every call goes through: the TLS client's, or the
   * simulator's faulty in-memory one (test/sim/transport.ts); the global
   * fetch when absent.
   */
  transport?: typeof fetch;
}

const now = () => new Date().toISOString();

const CLOSED = 'the worker closed its event stream';

/** The keys of GET /tasks?since=N's answer. */
const LISTING = { tasks: 'Tasks', done: 'Done', held: 'Held', version: 'Version' };

/**
 * Reads a worker's answer to a sync, GET /tasks?since=N (a listing of
 * changes), or to GET /tasks (every task, as does a worker that predates
 * `since`); throws a ValidationError naming what is wrong.
 */
export function readSyncAnswer(body: unknown, path: string): Pick<Extract<FromWorker, { type: 'worker.tasks' }>, 'tasks' | 'done' | 'held' | 'version'> {
  return Array.isArray(body) || body === null ? readListing({ Tasks: body }, path, LISTING) : readListing(body as Record<string, unknown>, path, LISTING);
}

/** A Cube worker's stats with the book's keys it sends beside them, for GET /nodes (docs/api.md, "The book's protocol"). */
function readWorkerStats(value: unknown, path: string): WorkerStats {
  const stats = readStats(value, path);
  return { ...stats, ...readBookKeys(value as Record<string, unknown>, path) };
}

/** Reads one message of a worker's event stream; throws a ValidationError naming what is wrong. */
export function readWorkerMessage(type: string, data: unknown, worker: string, at: string): FromWorker | undefined {
  const body = (data ?? {}) as Record<string, unknown>;
  switch (type) {
    case 'task.updated':
      return { type, worker, task: readTask(body['task'], 'task.updated: task'), at };
    case 'worker.tasks':
      return { type, worker, ...readListing(body, 'worker.tasks', { tasks: 'tasks', done: 'done', held: 'held', version: 'version' }), at };
    case 'worker.stats':
      return { type, worker, stats: readWorkerStats(body['stats'], 'worker.stats: stats'), at };
    default:
      return undefined; // a newer worker's message this manager does not know: not an error
  }
}

export function remoteWorkerActor(options: RemoteWorkerOptions) {
  return fromCallback<ToWorker, RemoteWorkerInput>(({ input, sendBack, receive }) => {
    const base = `${options.scheme ?? 'http'}://${input.address}`;
    const fetch = options.transport ?? globalThis.fetch; // every call below goes through it
    const headers: Record<string, string> = {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.cluster ? { [cubeHeaders.cluster]: options.cluster } : {}),
    };
    const report = (message: FromWorker) => sendBack(message);
    let stopped = false;
    let stream: AbortController | undefined;
    let retry: NodeJS.Timeout | undefined;
    const firstWait = backoff(100, 5000);
    let wait = firstWait;
    /** The other name this worker gave itself, once said. */
    let announcedName: unknown;
    /** The worker's newest version seen (by this manager before it restarted, at first): a broken stream resumes after it. */
    let seen = input.since ?? 0;
    /** Commands about one task go out one after another, so a stop never overtakes the run before it. */
    const lanes = new Lanes();
    /** Per task, the run waiting in its lane, not sent yet: a stop of its placement queued behind it cancels it. */
    const unsent = new Map<string, { placement: string; cancelled: boolean }>();

    const unreadable = (what: string, error: unknown) =>
      `${input.address}: ${what} that Cube cannot read (${error instanceof ValidationError ? error.message : error instanceof AnswerTooLarge ? `${error.message}: CUBE_EVENT_MAX` : callError(error)})`;

    async function follow(): Promise<void> {
      stream = new AbortController();
      const current = stream;
      let idle: NodeJS.Timeout | undefined;
      const watchdog = () => {
        clearTimeout(idle);
        idle = setTimeout(() => current.abort(new Error(`no word from the worker for ${options.idleMs} ms`)), options.idleMs);
      };
      let reading = false;
      /** Set when the worker said goodbye (`worker.leaving`: it is stopping cleanly) before its stream ended. */
      let leaving = false;
      try {
        watchdog();
        const response = await fetch(`${base}/events${seen > 0 ? `?since=${seen}` : ''}`, { headers, signal: current.signal });
        if (!response.ok || !response.body) throw new Error(`GET /events answered ${response.status}: ${await answerText(response)}`);
        reading = true;
        for await (const { type, data } of readEvents(response.body, options.maxBytes)) {
          watchdog();
          if (type === 'worker.leaving') {
            leaving = true;
            options.log(`worker ${input.name} is stopping (it said so); its tasks stay placed until it answers again or CUBE_HEARTBEAT_TTL passes`);
            continue;
          }
          // The manager knows this worker by the name it was given, whatever the
          // worker calls itself; heartbeats are timed on arrival, by our clock.
          const called: unknown = data?.worker;
          if (type === 'worker.tasks' && typeof called === 'string' && called !== input.name && called !== announcedName) {
            announcedName = called;
            options.log(
              `worker ${input.name} calls itself ${JSON.stringify(called)}: its tasks' histories will name it so; start it with --name ${input.name} (or list it in --workers as ${called}) so both say the same`,
            );
          }
          const message = readWorkerMessage(type, data, input.name, now());
          if (!message) continue;
          if (message.type === 'task.updated') seen = Math.max(seen, message.task.Version);
          if (message.type === 'worker.tasks') seen = message.version ?? message.tasks.reduce((newest, t) => Math.max(newest, t.Version), seen);
          report(message);
        }
        throw new Error(CLOSED);
      } catch (error) {
        if (stopped) return;
        // What the worker sent could not be read (the checks of its messages, or JSON.parse of an event's data):
        // its fault. Anything else thrown while reading is the connection's (reset, cut short): the network's.
        const unreadableSent = reading && !current.signal.aborted && (error instanceof ValidationError || error instanceof SyntaxError);
        const reason = leaving
          ? `${input.address}: stopped (it said it was leaving)`
          : current.signal.aborted
            ? `${input.address}: ${String((current.signal.reason as Error)?.message)}`
            : error instanceof EventTooLarge
              ? `${input.address}: its event stream sent an event larger than ${options.maxBytes} bytes (CUBE_EVENT_MAX); the stream is dropped and opened again`
              : unreadableSent
                ? unreadable('its event stream sent something', error)
                : `${input.address}: ${callError(error)}`;
        report({ type: 'worker.unreachable', worker: input.name, reason, at: now() });
        // A stream that worked and broke is opened again at once; one that sent what Cube cannot read waits longer each time.
        if (reading && !unreadableSent) wait = firstWait;
        retry = setTimeout(() => void follow(), wait.ms);
        wait = wait.next();
      } finally {
        clearTimeout(idle);
        current.abort(); // the connection goes with the reading: nothing more of it is received
      }
    }

    /** One call to the worker; a failure to reach it is reported as undelivered. */
    async function call(command: Extract<ToWorker, { type: 'task.run' | 'task.stop' }>, method: string, path: string, body?: unknown) {
      const [id, placement] = command.type === 'task.run' ? [command.task.ID, command.task.Placement] : [command.id, command.placement];
      const timeout = command.type === 'task.stop' ? options.stopTimeoutMs + options.callTimeoutMs : options.callTimeoutMs;
      try {
        const response = await fetch(`${base}${path}`, {
          method,
          headers,
          signal: AbortSignal.timeout(timeout),
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        if (response.ok) return void (await response.body?.cancel());
        const reason = await answerText(response);
        if (response.status >= 500 || response.status === 401) throw new Error(`${method} ${path} answered ${response.status}: ${reason}`);
        report({
          type: 'task.refused',
          worker: input.name,
          id,
          placement,
          command: command.type === 'task.run' ? 'run' : 'stop',
          reason,
          status: response.status,
        });
      } catch (error) {
        if (stopped) return;
        const reason = `${input.address}: ${callError(error)}`;
        options.log(`worker ${input.name}: ${command.type} of ${id} (placement ${placement}) not delivered: ${reason}`);
        report({ type: 'task.undelivered', worker: input.name, id, placement, command: command.type, reason, at: now() });
      }
    }

    /** Has the worker sweep its finished tasks, forgetting those the manager pruned (POST /gc); best effort: the worker sweeps by itself too. */
    async function forget(tasks: { id: string; placement: string }[]): Promise<void> {
      try {
        const body = JSON.stringify({ Forget: tasks.map((t) => ({ ID: t.id, Placement: t.placement })) });
        const response = await fetch(`${base}/gc`, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.callTimeoutMs) });
        await response.body?.cancel();
      } catch (error) {
        if (!stopped) options.log(`worker ${input.name}: POST /gc not delivered (${callError(error)}); it prunes by itself`);
      }
    }

    /** Queues a call behind the earlier ones about the same task (the call reports its own failure). */
    const inLane = (id: string, work: () => Promise<void>): void => void lanes.run(id, work);

    /** What changed after version `since` (GET /tasks?since=N); a worker that predates it answers with every task. */
    async function syncTasks(since: number | undefined): Promise<void> {
      try {
        const path = since === undefined ? '/tasks' : `/tasks?since=${since}`;
        const response = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(options.callTimeoutMs) });
        if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
        let listing: ReturnType<typeof readSyncAnswer>;
        try {
          listing = readSyncAnswer(await answerJson(response, options.maxBytes), `GET ${path}`);
        } catch (error) {
          throw new Error(unreadable(`GET ${path} answered something`, error));
        }
        report({ type: 'worker.tasks', worker: input.name, ...listing, at: now() });
      } catch (error) {
        if (stopped) return;
        const reason = (error as Error).message.startsWith(input.address) ? (error as Error).message : `${input.address}: ${callError(error)}`;
        report({ type: 'worker.unreachable', worker: input.name, reason, at: now() });
      }
    }

    receive((message) => {
      switch (message.type) {
        case 'task.run': {
          const id = message.task.ID;
          const path = `/tasks?placement=${encodeURIComponent(message.task.Placement)}`;
          const ticket = { placement: message.task.Placement, cancelled: false };
          unsent.set(id, ticket);
          return inLane(id, async () => {
            if (unsent.get(id) === ticket) unsent.delete(id);
            if (!ticket.cancelled) await call(message, 'POST', path, { Task: message.task });
          });
        }
        case 'task.stop': {
          // A run of this placement that has not gone out yet never will: the stop alone goes, and leaves a tombstone.
          const waiting = unsent.get(message.id);
          if (waiting && samePlacement(waiting.placement, message.placement)) waiting.cancelled = true;
          const path = `/tasks/${encodeURIComponent(message.id)}?placement=${encodeURIComponent(message.placement)}`;
          return inLane(message.id, () => call(message, 'DELETE', path));
        }
        case 'worker.sync':
          return void syncTasks(message.since);
        case 'worker.gc':
          return void forget(message.forget);
      }
    });
    void follow();
    return () => {
      stopped = true;
      clearTimeout(retry);
      stream?.abort();
    };
  });
}
