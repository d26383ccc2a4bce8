// The client side of the manager API (docs/spec.md §4) for the `cube` commands: where
// the managers are (-m/--manager, else CUBE_MANAGER, else localhost:5556; a
// list of several on etcd, the next tried when one does not answer), the
// bearer token (CUBE_TOKEN), and errors in one line a person can act on:
// no manager that can be reached, or the manager's own Message.
import type { ManagerView } from '../manager/views/manager-view.js';
import type { NodeView } from '../manager/views/node-view.js';
import { cubeHeaders } from '../http/cube-headers.js';
import { readEvents, type StreamEvent } from '../http/sse-client.js';
import { readLogLines, type LogLine } from '../logs/log-line.js';
import { CLIENT_MAX } from '../ui/lines.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';
import { clientTlsOptions } from '../tls/client-options.js';
import { UsageError } from './args.js';
import { call, type Answer } from './http.js';
import { addressOf, DEFAULT_MANAGER, ManagerList, managerUrls, type ListSource } from './manager-list.js';
import { errorCode, NoManagerAnswered, OutcomeUnknown, requestAny } from './manager-request.js';
import { Agent as HttpsAgent, type AgentOptions as TlsOptions } from 'node:https';
import { setTimeout as pause } from 'node:timers/promises';

/** Limit of one call; a stop waits for its container (the manager gives it up to its stop timeout + 5 s). */
const CALL_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 120_000;
/** How long a command asks again while managers answer 503 (no manager leads yet): an election takes about CUBE_LEADER_LEASE (3 s). */
const FAILOVER_MS = 10_000;
/** How long a broken event stream is opened again, on any manager of the list, before the follow gives up. */
const RESUME_MS = 30_000;
/** Tasks per page when the whole list is read. */
const PAGE = 1000;

/** The manager could not be reached at all; the message says how to fix that. */
export class ManagerUnreachable extends Error {
  override name = 'ManagerUnreachable';
}

/** The manager answered with an error: `message` is its Message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Why a request never got an answer, in a word or two: ECONNREFUSED, ENOTFOUND, "no answer in 30s". */
export function reachError(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: { message?: string } };
  if (e.name === 'TimeoutError') return `no answer in ${Math.round(timeoutMs / 1000)}s`;
  const code = errorCode(error);
  if (code === 'ETIMEDOUT') return 'connection timed out';
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return 'the connection was closed';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code ?? '')) {
    return `${code}: it serves HTTPS with certificates of its own cluster CA; give the folder that cube tls init made with --tls-dir or CUBE_TLS_DIR`;
  }
  return code ?? e.cause?.message ?? e.message;
}

/** Why a follow of the event stream ended, in one line: what the managers answered, or why none could be reached. */
export function followEnded(error: unknown, url: string): string {
  if (error instanceof ManagerUnreachable || error instanceof ApiError) return error.message;
  return `lost the connection to the manager at ${addressOf(url)} (${reachError(error, 0)})`;
}

/** A refusal of what `about` names ("the task in web.json"): a 400 says which, so the manager's message (which key) finds its source. */
export async function refusing<T>(answer: Promise<T>, about: string): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) throw new ApiError(400, `the manager refused ${about}: ${error.message}`);
    throw error;
  }
}

/** What a DELETE that stops containers answered: all stopped, or the stops kept and not yet confirmed. */
export type Removal = { confirmed: true } | { confirmed: false; message: string };

export interface ClientOptions {
  /** Base URL, like http://localhost:5556; or several, tried in turn. */
  url: string | readonly string[];
  /** Where the addresses came from, for messages (default: -m/--manager). */
  source?: ListSource;
  /** Limit of one call that is not a stop (default 30 s). */
  timeoutMs?: number;
  /** Sent as "Authorization: Bearer …" when not empty. */
  token: string;
  /** For a manager that serves HTTPS: the cluster CA, the client certificate, and the check of the manager's (src/tls/client-options.ts). */
  tls?: TlsOptions;
}

/** What a follow of the event stream is told, besides its events. */
export interface FollowOptions {
  /** The one task followed, once it is known. */
  task?: () => string | undefined;
  /** A line for stderr when the stream broke and was opened again, perhaps on another manager. */
  notice?: (line: string) => void;
}

export class ManagerClient {
  private readonly managers: ManagerList;
  private readonly token: string;
  private readonly agent: HttpsAgent | undefined;
  private readonly timeoutMs: number;

  constructor(options: ClientOptions) {
    this.managers = new ManagerList(typeof options.url === 'string' ? [options.url] : options.url, options.source ?? '-m/--manager');
    this.token = options.token;
    this.agent = options.tls ? new HttpsAgent({ ...options.tls, keepAlive: false }) : undefined;
    this.timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
  }

  /** The base URL of the manager in use: the last one that answered. */
  get url(): string {
    return this.managers.current;
  }

  /**
   * The manager named by -m/--manager, else CUBE_MANAGER, else localhost:5556; the token from CUBE_TOKEN;
   * with --tls-dir (CUBE_TLS_DIR), over HTTPS with the client certificate of that folder.
   */
  static from(flags: Record<string, string>, env: NodeJS.ProcessEnv = process.env): ManagerClient {
    const flag = flags['manager'];
    const fromEnv = env['CUBE_MANAGER'];
    const [text, source]: [string, ListSource] =
      flag !== undefined ? [flag, '-m/--manager'] : fromEnv ? [fromEnv, 'CUBE_MANAGER'] : [DEFAULT_MANAGER, 'the default manager'];
    const urls = managerUrls(text, source);
    const tlsDir = flags['tls-dir'] ?? env['CUBE_TLS_DIR'] ?? '';
    const token = env['CUBE_TOKEN'] ?? '';
    if (!tlsDir) return new ManagerClient({ url: urls, source, token });
    return new ManagerClient({ url: urls.map((url) => url.replace(/^http:/, 'https:')), source, token, tls: clientTlsOptions(tlsDir, 'client', 'manager') });
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /** Why no manager could be reached, and what to do: start one when none was named, check the ones named otherwise. */
  private unreachable(missed: NoManagerAnswered): ManagerUnreachable {
    const { source } = this.managers;
    const tried = missed.misses.map((m) => `${addressOf(m.url)} (${m.reason})`);
    if (source === 'the default manager') {
      return new ManagerUnreachable(
        `cannot reach the manager at ${tried[0]}. Start one with \`npm start\` or \`cube manager --workers …\`, or point -m/--manager (or CUBE_MANAGER) at it.`,
      );
    }
    if (tried.length === 1) {
      return new ManagerUnreachable(
        `cannot reach the manager at ${tried[0]}, which ${source} names: check that it runs there, or give ${source} the address of one that does (several: a:5556,b:5556)`,
      );
    }
    return new ManagerUnreachable(
      `cannot reach any of the managers ${source} names: ${tried.join(', ')}. Check that one of them runs, or give ${source} the address of one that does`,
    );
  }

  /** A command whose connection broke after it was sent: whether it was carried out is for the reader to look. */
  private unknownOutcome(method: string, path: string, lost: OutcomeUnknown): ManagerUnreachable {
    return new ManagerUnreachable(
      `the manager at ${addressOf(lost.url)} took ${method} ${path} and gave no answer (${lost.reason}): whether it was carried out is unknown, and it was not sent again. ` +
        'Look before you try again (cube status; cube node shows which manager leads)',
    );
  }

  /**
   * The answer, unless a worker gave it (its role header, cubeHeaders.role): `-m :5555` reaches a
   * worker, whose API shares some routes with the manager's, and would succeed
   * wrongly (a task the manager later adopts, a worker's tasks listed as the
   * cluster's). A usage error: exit 2.
   */
  private fromManager(response: Answer): Answer {
    if (response.header(cubeHeaders.role) !== 'worker') return response;
    response.discard();
    throw new UsageError(`${addressOf(this.url)} is a worker; managers are usually on :5556. Point -m/--manager (or CUBE_MANAGER) at a manager`);
  }

  /**
   * The answer to one request from the first manager of the list that gives
   * one (src/cli/manager-request.ts). `stream`: the limit is on getting the
   * answer, not on reading it (an event or log stream lasts as long as it lasts).
   */
  private async request(
    method: string,
    path: string,
    options: { body?: unknown; timeoutMs: number; signal?: AbortSignal | undefined; accept?: string; stream?: boolean },
  ): Promise<Answer> {
    const { body, timeoutMs, signal } = options;
    const headers = this.headers({ accept: options.accept ?? 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) });
    const attempt = async (url: string): Promise<Answer> => {
      if (!options.stream) {
        const timeout = AbortSignal.timeout(timeoutMs);
        return call(`${url}${path}`, {
          agent: this.agent,
          method,
          headers,
          signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      }
      const connect = new AbortController();
      const timer = setTimeout(() => connect.abort(new DOMException('no answer', 'TimeoutError')), timeoutMs);
      try {
        return await call(`${url}${path}`, { agent: this.agent, method, headers, signal: signal ? AbortSignal.any([signal, connect.signal]) : connect.signal });
      } finally {
        clearTimeout(timer);
      }
    };
    try {
      return this.fromManager(await requestAny(this.managers, attempt, { method, retryMs: FAILOVER_MS, reason: (e) => reachError(e, timeoutMs), signal }));
    } catch (error) {
      if (error instanceof NoManagerAnswered) throw this.unreachable(error);
      if (error instanceof OutcomeUnknown) throw this.unknownOutcome(method, path, error);
      throw error;
    }
  }

  private send(method: string, path: string, body: unknown, timeoutMs: number): Promise<Answer> {
    return this.request(method, path, { body, timeoutMs });
  }

  /** An error answer as one line: the manager's Message, or what else it said. */
  private async failure(response: Answer, method: string, path: string): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    let message: string | undefined;
    try {
      message = (JSON.parse(text) as { Message?: unknown }).Message as string | undefined;
    } catch {
      // not JSON: not Cube's error format
    }
    if (response.status === 401 && !this.token) {
      return new ApiError(401, `the manager at ${this.url} requires a token: set CUBE_TOKEN to the token it was started with`);
    }
    if (typeof message === 'string' && message) return new ApiError(response.status, message);
    const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 120);
    return new ApiError(
      response.status,
      `${method} ${this.url}${path} answered ${response.status} ${response.statusText}${snippet ? `: ${snippet}` : ''} (is ${this.url} a Cube manager?)`,
    );
  }

  private async json<T>(response: Answer, method: string, path: string): Promise<T> {
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(response.status, `${method} ${this.url}${path} answered something that is not JSON (is ${this.url} a Cube manager?)`);
    }
  }

  /** A call whose success is a JSON body. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body, this.timeoutMs);
    if (!response.ok) throw await this.failure(response, method, path);
    return this.json<T>(response, method, path);
  }

  /**
   * One page of GET /tasks: at most `limit` tasks after `token` ("" for the
   * first) that `filter` asks for (`{service: 'web'}`), the token of the next
   * page ("" on the last), and how many finished tasks the manager has pruned so far.
   */
  async page(limit: number, token = '', filter: Record<string, string> = {}): Promise<{ tasks: Task[]; next: string; pruned: number }> {
    const query = new URLSearchParams({ limit: String(limit), ...filter });
    if (token) query.set('continue', token);
    const path = `/tasks?${query}`;
    const response = await this.send('GET', path, undefined, this.timeoutMs);
    if (!response.ok) throw await this.failure(response, 'GET', path);
    const tasks = await this.json<Task[]>(response, 'GET', path);
    // Every page a manager sends says its version: a page without it lost Cube's headers on its way, and with them whether more pages follow.
    if (response.header(cubeHeaders.version) === undefined) {
      throw new ApiError(
        response.status,
        `GET ${this.url}${path} answered without Cube's headers (${cubeHeaders.version}, ${cubeHeaders.continue}), so whether more tasks follow is unknown and the list may be cut short: ` +
          'something between this command and the leading manager drops them (a proxy, or a follower running an older Cube). Ask the leader (cube node names it), or let Cube-* headers through',
      );
    }
    return { tasks, next: response.header(cubeHeaders.continue) ?? '', pruned: Number(response.header(cubeHeaders.pruned) ?? 0) };
  }

  /** Every task `filter` asks for, a page at a time (so no answer is too long to wait for), following Cube-Continue to the end, and how many finished tasks were pruned. */
  async allTasks(filter: Record<string, string> = {}): Promise<{ tasks: Task[]; pruned: number }> {
    const tasks: Task[] = [];
    let token = '';
    for (;;) {
      const page = await this.page(PAGE, token, filter);
      tasks.push(...page.tasks);
      if (!page.next) return { tasks, pruned: page.pruned };
      token = page.next;
    }
  }

  async tasks(): Promise<Task[]> {
    return (await this.allTasks()).tasks;
  }

  /** POST /gc: a retention sweep now, on the manager and its workers. */
  gc(): Promise<{ Pruned: number; Kept: number; PrunedTotal: number }> {
    return this.call('POST', '/gc');
  }

  task(id: string): Promise<Task> {
    return this.call<Task>('GET', `/tasks/${encodeURIComponent(id)}`);
  }

  /** POST /tasks: the Task as accepted. */
  submit(event: unknown): Promise<Task> {
    return this.call<Task>('POST', '/tasks', event);
  }

  /** GET /log: the manager's own events (workers up and down, stops asked…), oldest first. */
  log(limit: number): Promise<LogEntry[]> {
    return this.call<LogEntry[]>('GET', `/log?limit=${limit}`);
  }

  /** GET /nodes: the workers, and with several managers on etcd the managers too (Role "manager"). */
  nodes(): Promise<(NodeView | ManagerView)[]> {
    return this.call<(NodeView | ManagerView)[]>('GET', '/nodes');
  }

  /** POST /nodes/{name}/drain: the worker as it is now. */
  drain(name: string): Promise<NodeView> {
    return this.call<NodeView>('POST', `/nodes/${encodeURIComponent(name)}/drain`);
  }

  /** POST /nodes/{name}/labels: the worker as it is now, with its labels changed. */
  label(name: string, edits: Record<string, string | null>): Promise<NodeView> {
    return this.call<NodeView>('POST', `/nodes/${encodeURIComponent(name)}/labels`, edits);
  }

  /** DELETE /nodes/{name}/drain: the worker as it is now. */
  undrain(name: string): Promise<NodeView> {
    return this.call<NodeView>('DELETE', `/nodes/${encodeURIComponent(name)}/drain`);
  }

  /** DELETE /nodes/{name}. */
  async removeNode(name: string): Promise<void> {
    const path = `/nodes/${encodeURIComponent(name)}`;
    const response = await this.send('DELETE', path, undefined, this.timeoutMs);
    if (!response.ok) throw await this.failure(response, 'DELETE', path);
    response.discard();
  }

  /** DELETE /tasks/{id}: stopped (204), or accepted and not yet confirmed (202, with the manager's message). */
  stop(id: string): Promise<Removal> {
    return this.remove(`/tasks/${encodeURIComponent(id)}`, `stop of task ${id} requested; not confirmed yet`);
  }

  /**
   * A DELETE that stops containers (of a task, of a service's copies): done
   * (204), or accepted with the stops kept and not yet confirmed by a worker
   * (202, with the manager's message, else `unconfirmed`).
   */
  async remove(path: string, unconfirmed: string): Promise<Removal> {
    const response = await this.send('DELETE', path, undefined, STOP_TIMEOUT_MS);
    if (response.status === 202) {
      const body = await this.json<{ Message?: string }>(response, 'DELETE', path);
      return { confirmed: false, message: body.Message ?? unconfirmed };
    }
    if (response.ok) {
      response.discard();
      return { confirmed: true };
    }
    throw await this.failure(response, 'DELETE', path);
  }

  /**
   * GET /tasks/{id}/logs: the task's output, each line checked, as the manager
   * sends it. Resolves once the manager has answered; aborting `signal` ends it.
   */
  async logs(id: string, query: string, signal: AbortSignal): Promise<AsyncGenerator<LogLine>> {
    const path = `/tasks/${encodeURIComponent(id)}/logs${query}`;
    const response = await this.open(path, 'application/x-ndjson', signal);
    return readLogLines(response.chunks, `the manager at ${this.url}`, CLIENT_MAX);
  }

  /** A long answer (events, logs): the limit is on getting it, not on how long it lasts. */
  private async open(path: string, accept: string, signal: AbortSignal): Promise<Answer> {
    const response = await this.request('GET', path, { timeoutMs: this.timeoutMs, signal, accept, stream: true });
    if (!response.ok) throw await this.failure(response, 'GET', path);
    return response;
  }

  /**
   * Opens GET /events. Resolves once a manager has answered, so every change
   * from then on is in the stream; its first event is the `snapshot`.
   * Aborting `signal` ends the stream. The stream outlives a break: when the
   * manager closes it or the connection drops (a leader killed, a follower
   * whose leader went), it is opened again, on the same manager or the next of
   * the list that answers, after the last version read (`?since=`, then a
   * `resumed` event and what changed meanwhile); when that manager does not
   * keep that far back (410: a new leader keeps only its own changes), it
   * starts over with a `snapshot`, which holds every task as it is now. Each
   * reopening is told to `follow.notice` in one line. It gives up after
   * RESUME_MS without a manager that answers, or after five breaks in a row
   * with nothing read in between.
   */
  async events(signal: AbortSignal, follow: FollowOptions = {}): Promise<AsyncGenerator<StreamEvent>> {
    const first = readEvents((await this.open('/events', 'text/event-stream', signal)).body);
    const notice = follow.notice ?? ((line: string) => process.stderr.write(`cube: ${line}\n`));
    return this.resuming(first, signal, follow.task ?? (() => undefined), notice);
  }

  private async *resuming(
    stream: AsyncGenerator<StreamEvent>,
    signal: AbortSignal,
    task: () => string | undefined,
    notice: (line: string) => void,
  ): AsyncGenerator<StreamEvent> {
    let since: number | undefined;
    let breaks = 0;
    for (;;) {
      let why = 'the stream ended';
      let opening = true;
      try {
        for await (const event of stream) {
          // The event a stream opens with is no sign it lasts: what comes after it is.
          if (!opening) breaks = 0;
          opening = false;
          if (event.id !== undefined) since = event.id;
          yield event;
        }
      } catch (error) {
        if (signal.aborted) throw error;
        why = reachError(error, 0);
      }
      if (signal.aborted) return;
      if (++breaks > MAX_BREAKS) throw new Error(`${why}, ${MAX_BREAKS} times in a row`);
      const lost = addressOf(this.url);
      const opened = await this.reopen(signal, since, task());
      const from =
        since === undefined
          ? 'from its snapshot'
          : opened.fresh
            ? `from its snapshot (it keeps no changes as old as event ${since}; the snapshot holds what changed meanwhile)`
            : `from event ${since}`;
      notice(`lost ${lost} (${why}); following ${addressOf(this.url)} ${from}`);
      stream = opened.stream;
    }
  }

  /** Opens the stream again after `since` on the first manager that answers, or from a snapshot when that is too far back (`fresh`). */
  private async reopen(
    signal: AbortSignal,
    since: number | undefined,
    task: string | undefined,
  ): Promise<{ stream: AsyncGenerator<StreamEvent>; fresh: boolean }> {
    const deadline = Date.now() + RESUME_MS;
    for (let tries = 0; ; tries++) {
      const query = new URLSearchParams();
      if (since !== undefined) query.set('since', String(since));
      if (task !== undefined) query.set('task', task);
      try {
        const response = await this.open(`/events?${query}`, 'text/event-stream', signal);
        return { stream: readEvents(response.body), fresh: since === undefined };
      } catch (error) {
        if (error instanceof ApiError && error.status === 410 && since !== undefined) {
          since = undefined; // too far behind for this manager: start over from a snapshot
          continue;
        }
        const passing = error instanceof ManagerUnreachable || (error instanceof ApiError && error.status === 503);
        if (signal.aborted || !passing || Date.now() > deadline) throw error;
        // Every manager may be down for a moment (one restarting, an election): ask again soon, then less often.
        await pause(Math.min(2000, 100 * 2 ** tries), undefined, { signal });
      }
    }
  }
}

/** Breaks of an event stream in a row after which a follow gives up and says so. */
const MAX_BREAKS = 5;
