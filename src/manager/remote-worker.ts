// The proxy of a worker on another host (docs/architecture.md §2): a child of the
// manager that speaks the same messages as a worker actor, carried over the
// worker API. Commands become HTTP calls; the worker's event stream (task
// changes and heartbeats) becomes messages to the manager. A call that fails
// is reported as undelivered, so the manager can place the task elsewhere;
// a stream that fails or falls silent is reopened with backoff.
import { fromCallback } from 'xstate';
import type { FromWorker, ToWorker } from '../vocabulary/protocol.js';
import type { Task } from '../vocabulary/task.js';
import { readEvents } from '../http/sse-client.js';
import type { Log } from '../log.js';

export interface RemoteWorkerOptions {
  token: string;
  /** Silence on the stream after which it is reopened (the heartbeat TTL). */
  idleMs: number;
  /** Limit of one call; a stop waits for the container to stop, so it gets more. */
  callTimeoutMs: number;
  stopTimeoutMs: number;
  log: Log;
}

const now = () => new Date().toISOString();

/** Why a call failed, in words: the error code rather than fetch's "fetch failed". */
export function callError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

async function answerText(response: Response): Promise<string> {
  const text = await response.text();
  try {
    return (JSON.parse(text) as { Message?: string }).Message ?? text;
  } catch {
    return text;
  }
}

export function remoteWorkerActor(options: RemoteWorkerOptions) {
  return fromCallback<ToWorker, { name: string; address: string }>(({ input, sendBack, receive }) => {
    const base = `http://${input.address}`;
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    const report = (message: FromWorker) => sendBack(message);
    let stopped = false;
    let stream: AbortController | undefined;
    let retry: NodeJS.Timeout | undefined;
    let delay = 100;
    /** The other name this worker gave itself, once said. */
    let announcedName: unknown;

    async function follow(): Promise<void> {
      stream = new AbortController();
      const current = stream;
      let idle: NodeJS.Timeout | undefined;
      const watchdog = () => {
        clearTimeout(idle);
        idle = setTimeout(() => current.abort(new Error(`no word from the worker for ${options.idleMs} ms`)), options.idleMs);
      };
      try {
        watchdog();
        const response = await fetch(`${base}/events`, { headers, signal: current.signal });
        if (!response.ok || !response.body) throw new Error(`GET /events answered ${response.status}: ${await answerText(response)}`);
        delay = 100;
        for await (const { type, data } of readEvents(response.body)) {
          watchdog();
          // The manager knows this worker by the name it was given, whatever the
          // worker calls itself; heartbeats are timed on arrival, by our clock.
          if (type === 'worker.tasks' && data.worker !== input.name && data.worker !== announcedName) {
            announcedName = data.worker;
            options.log(
              `worker ${input.name} calls itself ${JSON.stringify(data.worker)}: its tasks' histories will name it so; start it with --name ${input.name} (or list it in --workers as ${data.worker}) so both say the same`,
            );
          }
          if (type === 'worker.stats' || type === 'worker.tasks') report({ ...data, worker: input.name, at: now() });
          else if (type === 'task.updated') report({ ...data, worker: input.name });
        }
        throw new Error('the worker closed its event stream');
      } catch (error) {
        if (stopped) return;
        const reason = current.signal.aborted ? String((current.signal.reason as Error)?.message) : callError(error);
        report({ type: 'worker.unreachable', worker: input.name, reason: `${input.address}: ${reason}`, at: now() });
        retry = setTimeout(() => void follow(), delay);
        delay = Math.min(5000, delay * 2);
      } finally {
        clearTimeout(idle);
      }
    }

    /** One call to the worker; a failure to reach it is reported as undelivered. */
    async function call(command: ToWorker & { type: 'task.run' | 'task.stop' }, method: string, path: string, body?: unknown) {
      const id = command.type === 'task.run' ? command.task.ID : command.id;
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
        report({ type: 'task.refused', worker: input.name, id, command: command.type === 'task.run' ? 'run' : 'stop', reason });
      } catch (error) {
        if (stopped) return;
        const reason = `${input.address}: ${callError(error)}`;
        options.log(`worker ${input.name}: ${command.type} of ${id} not delivered: ${reason}`);
        report({ type: 'task.undelivered', worker: input.name, id, command: command.type, reason, at: now() });
      }
    }

    async function syncTasks(): Promise<void> {
      try {
        const response = await fetch(`${base}/tasks`, { headers, signal: AbortSignal.timeout(options.callTimeoutMs) });
        if (!response.ok) throw new Error(`GET /tasks answered ${response.status}`);
        report({ type: 'worker.tasks', worker: input.name, tasks: (await response.json()) as Task[], at: now() });
      } catch (error) {
        if (!stopped) report({ type: 'worker.unreachable', worker: input.name, reason: `${input.address}: ${callError(error)}`, at: now() });
      }
    }

    receive((message) => {
      switch (message.type) {
        case 'task.run':
          return void call(message, 'POST', `/tasks${message.ensure ? '?ensure=1' : ''}`, { Task: message.task });
        case 'task.stop':
          return void call(message, 'DELETE', `/tasks/${encodeURIComponent(message.id)}`);
        case 'worker.sync':
          return void syncTasks();
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
