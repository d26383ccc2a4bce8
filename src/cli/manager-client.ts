// The client side of the manager API (docs/spec.md §4) for the `cube` commands: where
// the manager is (-m/--manager, else CUBE_MANAGER, else localhost:5556), the
// bearer token (CUBE_TOKEN), and errors in one line a person can act on:
// a manager that cannot be reached, or the manager's own Message.
import type { ManagerView } from '../manager/views/manager-view.js';
import type { NodeView } from '../manager/views/node-view.js';
import { cubeHeaders } from '../http/cube-headers.js';
import { readEvents, type StreamEvent } from '../http/sse-client.js';
import { readLogLines, type LogLine } from '../logs/log-line.js';
import { CLIENT_MAX } from '../ui/lines.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';
import { clientTlsOptions } from '../tls/client-options.js';
import { parseHostPort } from '../config/host-port.js';
import { UsageError } from './args.js';
import { call, type Answer } from './http.js';
import { Agent as HttpsAgent, type AgentOptions as TlsOptions } from 'node:https';

export const DEFAULT_MANAGER = 'localhost:5556';

/** Limit of one call; a stop waits for its container (the manager gives it up to its stop timeout + 5 s). */
const CALL_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 120_000;
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

/**
 * The manager's base URL from `host:port` (a bare host gets port 5556; an
 * http:// or https:// URL is taken as it is). `from` names where the text came from.
 */
export function managerUrl(text: string, from: string): string {
  const trimmed = text.trim();
  if (/^https?:\/\/[^/\s]+\/?$/.test(trimmed)) return trimmed.replace(/\/$/, '');
  const address = parseHostPort(trimmed, 5556);
  if (!address) throw new UsageError(`${from}: ${JSON.stringify(text)} is not host:port (like localhost:5556 or 10.0.0.5:5556)`);
  return `http://${address.host}:${address.port}`;
}

/** Why a request never got an answer, in a word or two: ECONNREFUSED, ENOTFOUND, "no answer in 30s". */
export function reachError(error: unknown, timeoutMs: number): string {
  const e = error as Error & { code?: string; errors?: { code?: string }[]; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer in ${Math.round(timeoutMs / 1000)}s`;
  const code = e.code ?? e.errors?.find((x) => x.code)?.code ?? e.cause?.code;
  if (code === 'ETIMEDOUT') return 'connection timed out';
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return 'the connection was closed';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code ?? '')) {
    return `${code}: it serves HTTPS with certificates of its own cluster CA; give the folder that cube tls init made with --tls-dir or CUBE_TLS_DIR`;
  }
  return code ?? e.cause?.message ?? e.message;
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
  /** Base URL, like http://localhost:5556. */
  url: string;
  /** Sent as "Authorization: Bearer …" when not empty. */
  token: string;
  /** For a manager that serves HTTPS: the cluster CA, the client certificate, and the check of the manager's (src/tls/client-options.ts). */
  tls?: TlsOptions;
}

export class ManagerClient {
  readonly url: string;
  private readonly token: string;
  private readonly agent: HttpsAgent | undefined;

  constructor(options: ClientOptions) {
    this.url = options.url;
    this.token = options.token;
    this.agent = options.tls ? new HttpsAgent({ ...options.tls, keepAlive: false }) : undefined;
  }

  /**
   * The manager named by -m/--manager, else CUBE_MANAGER, else localhost:5556; the token from CUBE_TOKEN;
   * with --tls-dir (CUBE_TLS_DIR), over HTTPS with the client certificate of that folder.
   */
  static from(flags: Record<string, string>, env: NodeJS.ProcessEnv = process.env): ManagerClient {
    const flag = flags['manager'];
    const fromEnv = env['CUBE_MANAGER'];
    const url =
      flag !== undefined
        ? managerUrl(flag, '-m/--manager')
        : fromEnv
          ? managerUrl(fromEnv, 'CUBE_MANAGER')
          : managerUrl(DEFAULT_MANAGER, 'the default manager');
    const tlsDir = flags['tls-dir'] ?? env['CUBE_TLS_DIR'] ?? '';
    if (!tlsDir) return new ManagerClient({ url, token: env['CUBE_TOKEN'] ?? '' });
    return new ManagerClient({ url: url.replace(/^http:/, 'https:'), token: env['CUBE_TOKEN'] ?? '', tls: clientTlsOptions(tlsDir, 'client', 'manager') });
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  unreachable(reason: string): ManagerUnreachable {
    return new ManagerUnreachable(
      `cannot reach the manager at ${this.url} (${reason}). Start one with \`npm start\` or \`cube manager --workers …\`, or point -m/--manager (or CUBE_MANAGER) at it.`,
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
    const address = this.url.replace(/^https?:\/\//, '');
    throw new UsageError(`${address} is a worker; managers are usually on :5556. Point -m/--manager (or CUBE_MANAGER) at a manager`);
  }

  private async send(method: string, path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<Answer> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Answer;
    try {
      response = await call(`${this.url}${path}`, {
        agent: this.agent,
        method,
        headers: this.headers(body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' }),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw this.unreachable(reachError(error, timeoutMs));
    }
    return this.fromManager(response);
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
    const response = await this.send(method, path, body, CALL_TIMEOUT_MS);
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
    const response = await this.send('GET', path, undefined, CALL_TIMEOUT_MS);
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
    const response = await this.send('DELETE', path, undefined, CALL_TIMEOUT_MS);
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
    const connect = new AbortController();
    const timer = setTimeout(() => connect.abort(new DOMException('no answer', 'TimeoutError')), CALL_TIMEOUT_MS);
    let response: Answer;
    try {
      // The limit is on getting an answer: once it is in, the stream stays open as long as it lasts.
      response = await call(`${this.url}${path}`, {
        agent: this.agent,
        headers: this.headers({ accept }),
        signal: AbortSignal.any([signal, connect.signal]),
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw this.unreachable(reachError(error, CALL_TIMEOUT_MS));
    } finally {
      clearTimeout(timer);
    }
    this.fromManager(response);
    if (!response.ok) throw await this.failure(response, 'GET', path);
    return response;
  }

  /**
   * Opens GET /events. Resolves once the manager has answered, so every change
   * from then on is in the stream; its first event is the `snapshot`.
   * Aborting `signal` ends the stream. The stream outlives a break: when the
   * manager closes it or the connection drops, it is opened again after the
   * last version read (`?since=`, then a `resumed` event and what changed
   * meanwhile); when the manager no longer keeps that far back (410), it starts
   * over with a `snapshot`. After five breaks in a row it gives up.
   * `task()` names the one task followed, once it is known.
   */
  async events(signal: AbortSignal, task: () => string | undefined = () => undefined): Promise<AsyncGenerator<StreamEvent>> {
    const first = readEvents((await this.open('/events', 'text/event-stream', signal)).body);
    return this.resuming(first, signal, task);
  }

  private async *resuming(stream: AsyncGenerator<StreamEvent>, signal: AbortSignal, task: () => string | undefined): AsyncGenerator<StreamEvent> {
    let since: number | undefined;
    let breaks = 0;
    for (;;) {
      try {
        for await (const event of stream) {
          breaks = 0;
          if (event.id !== undefined) since = event.id;
          yield event;
        }
      } catch (error) {
        if (signal.aborted || ++breaks > MAX_BREAKS) throw error;
      }
      if (signal.aborted) return;
      stream = await this.reopen(signal, since, task(), () => ++breaks);
    }
  }

  /** Opens the stream again after `since`, or from a snapshot when that is too far back. */
  private async reopen(signal: AbortSignal, since: number | undefined, task: string | undefined, broke: () => number): Promise<AsyncGenerator<StreamEvent>> {
    for (;;) {
      const query = new URLSearchParams();
      if (since !== undefined) query.set('since', String(since));
      if (task !== undefined) query.set('task', task);
      try {
        return readEvents((await this.open(`/events?${query}`, 'text/event-stream', signal)).body);
      } catch (error) {
        if (error instanceof ApiError && error.status === 410 && since !== undefined) {
          since = undefined; // too far behind: start over from a snapshot
          continue;
        }
        const breaks = broke();
        if (signal.aborted || breaks > MAX_BREAKS) throw error;
        // The manager may be restarting: ask again soon, then less often.
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** breaks)));
      }
    }
  }
}

/** Breaks of an event stream in a row after which a follow gives up and says so. */
const MAX_BREAKS = 5;
