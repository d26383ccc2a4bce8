// Follows Docker's event stream for one worker's containers, so a container's
// death reaches its task at once instead of at the next poll. The stream ends
// when the engine restarts; it is reopened with backoff, and every (re)connect
// is announced so the worker compares actual with desired state for whatever
// it missed while deaf.
import type Docker from 'dockerode';
import { backoff } from '../backoff.js';
import { dockerMessage } from './docker-errors.js';
import type { ContainerEvent, WatchHandlers } from './types.js';
import { TASK_LABEL } from './labels.js';
import { LineSplitter } from '../ui/lines.js';

const EVENT_LINE_MAX = 64 * 1024;
const decoder = new TextDecoder();

interface DockerEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  timeNano?: number;
}

export interface EventStreamOptions extends WatchHandlers {
  /** Label filters, `key=value`, that select this worker's containers. */
  labels: string[];
  /** Whether a container, by its labels, is this worker's (what the filters cannot tell). */
  isOurs(attributes: Record<string, string>): boolean;
  /** True while Cube itself is stopping the container: its kill is not from outside. */
  stoppedByCube(containerId: string): boolean;
  /**
   * How long a kill from outside is remembered for the death it causes. A
   * `docker stop` waits its timeout between SIGTERM and SIGKILL, so this must
   * be longer than that; a kill that causes no death by then is forgotten.
   */
  killMemoryMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * Signals that end a process unless it handles them: a kill with one of these
 * is someone stopping the container. Others (HUP to reload, USR1, WINCH…) are
 * not, even when the process later dies of something else.
 */
const ENDING_SIGNALS = new Set(['2', '3', '6', '9', '15', 'INT', 'QUIT', 'ABRT', 'KILL', 'TERM', 'SIGINT', 'SIGQUIT', 'SIGABRT', 'SIGKILL', 'SIGTERM']);

/** Reads one line of Docker's event stream; anything that is not an event as Docker documents it is skipped. */
export function parseDockerEvent(line: string): DockerEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const event = raw as DockerEvent;
  if (typeof event.Action !== 'string' || typeof event.Actor?.ID !== 'string') return undefined;
  const attributes = event.Actor.Attributes;
  if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null)) return undefined;
  if (event.timeNano !== undefined && typeof event.timeNano !== 'number') return undefined;
  return event;
}

export function followDockerEvents(docker: Docker, options: EventStreamOptions): () => void {
  /** Containers killed from outside, with when (ms): remembered for the death the kill causes. */
  const killed = new Map<string, number>();
  const killMemoryMs = options.killMemoryMs ?? 60_000;
  const oomed = new Set<string>();
  // A local engine is cheap to ask: retry at least every second, so a recovery shows at once.
  const firstWait = backoff(options.retryMinMs ?? 100, options.retryMaxMs ?? 1000);
  let wait = firstWait;
  let stopped = false;
  /** Whether the engine was last seen answering; undefined before the first try. */
  let connected: boolean | undefined;
  let stream: NodeJS.ReadableStream | undefined;
  let timer: NodeJS.Timeout | undefined;

  const toEvent = (raw: DockerEvent): ContainerEvent | undefined => {
    const id = raw.Actor?.ID ?? '';
    const attributes = raw.Actor?.Attributes ?? {};
    const taskId = attributes[TASK_LABEL];
    if (!taskId || !options.isOurs(attributes)) return undefined;
    const ms = (raw.timeNano ?? Date.now() * 1e6) / 1e6;
    const at = new Date(ms).toISOString();
    const signal = String(attributes['signal'] ?? '');
    switch (raw.Action) {
      case 'kill':
        if (!options.stoppedByCube(id) && ENDING_SIGNALS.has(signal)) killed.set(id, ms);
        return undefined;
      case 'pause':
      case 'unpause':
        return { type: 'paused', taskId, containerId: id, paused: raw.Action === 'pause', at };
      case 'oom':
        oomed.add(id);
        return undefined;
      case 'die': {
        const event: ContainerEvent = {
          type: 'exited',
          taskId,
          containerId: id,
          exitCode: Number.isInteger(Number(attributes['exitCode'])) ? Number(attributes['exitCode']) : -1,
          oom: oomed.has(id),
          outside: ms - (killed.get(id) ?? -Infinity) <= killMemoryMs,
          at,
        };
        killed.delete(id);
        oomed.delete(id);
        return event;
      }
      case 'destroy':
        killed.delete(id);
        return { type: 'removed', taskId, containerId: id, at };
      default:
        return undefined;
    }
  };

  const lost = (reason: string, from?: NodeJS.ReadableStream) => {
    if (from && from !== stream) return; // `end` and `error` of one stream: handle once
    stream = undefined;
    if (stopped) return;
    if (connected !== false) options.onDisconnected(reason);
    connected = false;
    timer = setTimeout(() => void connect(), wait.ms); // connect reports its own failures (`lost`)
    wait = wait.next();
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    try {
      const opened = await docker.getEvents({
        filters: { type: ['container'], label: options.labels, event: ['kill', 'oom', 'die', 'destroy', 'pause', 'unpause'] },
      });
      if (stopped) {
        (opened as unknown as { destroy?: () => void }).destroy?.();
        return;
      }
      stream = opened;
    } catch (error) {
      lost(dockerMessage(error));
      return;
    }
    wait = firstWait;
    connected = true;
    const current = stream;
    // One JSON event a line, read as every line from outside is (src/ui/lines.js); an event is a few hundred
    // bytes, so a longer line is not one, and is skipped unread.
    const lines = new LineSplitter(EVENT_LINE_MAX, (kept, length) => {
      if (length === 0 || length > EVENT_LINE_MAX) return;
      const raw = parseDockerEvent(decoder.decode(kept));
      const event = raw && toEvent(raw);
      if (event) options.onEvent(event);
    });
    current.on('data', (chunk: Buffer) => lines.push(chunk));
    current.on('end', () => lost('the Docker event stream ended', current));
    current.on('error', (error: Error) => lost(dockerMessage(error), current));
    options.onConnected();
  }

  void connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  };
}
