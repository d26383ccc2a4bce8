// The network between the manager and each worker, and the manager's proxy
// of a remote worker that talks over it (what src/manager/proxies/remote-worker.ts
// does over HTTP, message for message):
//  - a command (run, stop) is a request and an answer, each of which can be
//    delayed, lost or (the request) duplicated. The proxy sends the commands
//    about one task one after another, as the real one does (a stop cancels
//    its placement's run still waiting in the lane, unsent), but a request
//    whose call timed out can still arrive later, after the next one: a stop
//    can overtake its run. A lost answer means the worker acted while the
//    manager hears "not delivered" when its call times out.
//  - the event stream is ordered while it lasts; it opens with a `worker.tasks`
//    snapshot (or, resuming, the changes after the last version seen), breaks
//    (at once when the worker's process dies, silently under a partition,
//    noticed then by the idle watchdog) and is reopened with backoff. What
//    arrives is read through the same checks as the real proxy's.
//  - partitions cut one direction or both.
import { fromCallback } from 'xstate';
import type { FromWorker, ToWorker } from '../../src/vocabulary/protocol.js';
import { readSyncAnswer, readWorkerMessage } from '../../src/manager/proxies/remote-worker.js';
import { ValidationError } from '../../src/task/codec.js';
import { samePlacement } from '../../src/vocabulary/placement.js';
import { messageOf, wire, type Answer } from './answers.js';
import type { Observer } from './observer.js';
import { Lanes } from '../../src/actors/lanes.js';
import type { Random } from './random.js';
import type { Trace } from './trace.js';
import type { WorkerEndpoint } from './worker-endpoint.js';

/** How the network reaches a worker machine's process. */
export interface WorkerAddress {
  /** The process listening now, or undefined when none runs (connections are refused). */
  endpoint(): WorkerEndpoint | undefined;
  /**
   * Runs `work` when the process can (a frozen process runs it when thawed);
   * `work` never runs if the process dies first.
   */
  when(work: (endpoint: WorkerEndpoint) => void): void;
  /** A message from the process behind `from`: it leaves when thawed, and never if that process died. */
  outbound(from: WorkerEndpoint, send: () => void): void;
}

export interface LinkFaults {
  /** Packets towards the worker are dropped until then (absolute ms). */
  toWorkerCutUntil: number;
  toManagerCutUntil: number;
  /** A bad network until then: loss, duplication and long delays. */
  chaosUntil: number;
  /** Requests towards the worker sent until then arrive 10.5–25 s late: their calls give up first. */
  stallUntil: number;
  /** The event stream lags by `lagMs` until then (calls do not). */
  lagUntil: number;
  lagMs: number;
  loss: number;
  duplicate: number;
  maxDelayMs: number;
}

export class Link {
  readonly faults: LinkFaults = {
    toWorkerCutUntil: 0,
    toManagerCutUntil: 0,
    chaosUntil: 0,
    stallUntil: 0,
    lagUntil: 0,
    lagMs: 0,
    loss: 0,
    duplicate: 0,
    maxDelayMs: 0,
  };
  /** Open event streams over this link: a cut or a break ends them. */
  readonly streams = new Set<{ broken: boolean; reset(reason: string): void }>();

  constructor(
    readonly worker: string,
    readonly address: WorkerAddress,
    private readonly random: Random,
  ) {}

  private cut(direction: 'toWorker' | 'toManager'): boolean {
    return Date.now() < (direction === 'toWorker' ? this.faults.toWorkerCutUntil : this.faults.toManagerCutUntil);
  }

  private chaotic(): boolean {
    return Date.now() < this.faults.chaosUntil;
  }

  /** A packet's delay; undefined when it is lost. */
  delay(direction: 'toWorker' | 'toManager'): number | undefined {
    if (this.cut(direction)) return undefined;
    if (direction === 'toWorker' && Date.now() < this.faults.stallUntil) return this.random.int(10_500, 25_000);
    if (!this.chaotic()) return this.random.int(1, 8);
    if (this.random.chance(this.faults.loss)) return undefined;
    return this.random.int(1, this.faults.maxDelayMs);
  }

  duplicates(): boolean {
    return this.chaotic() && this.random.chance(this.faults.duplicate);
  }

  /** A stream's packet: lost packets end the stream silently (the watchdog notices). */
  streamDelay(): number | undefined {
    if (this.cut('toManager')) return undefined;
    if (Date.now() < this.faults.lagUntil) return this.faults.lagMs + this.random.int(1, 8);
    return this.chaotic() ? this.random.int(1, Math.min(this.faults.maxDelayMs, 500)) : this.random.int(1, 8);
  }

  /** The worker's side dropped every stream (a process death): the manager's side sees a reset. */
  resetStreams(reason: string): void {
    for (const stream of [...this.streams]) stream.reset(reason);
  }
}

export interface ProxyOptions {
  idleMs: number;
  callTimeoutMs: number;
  stopTimeoutMs: number;
  links: Map<string, Link>;
  trace: Trace;
  observer: Observer;
}

const now = () => new Date().toISOString();
const later = (ms: number, work: () => void) => setTimeout(work, ms);

/** The `remoteWorker` actor of the manager, over the simulated network. */
export function simRemoteWorker(options: ProxyOptions) {
  return fromCallback<ToWorker, { name: string; address: string }>(({ input, sendBack, receive }) => {
    const link = options.links.get(input.name);
    const report = (message: FromWorker) => {
      if (!stopped) sendBack(message);
    };
    let stopped = false;
    let stream: { broken: boolean; reset(reason: string): void; close(): void } | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 100;
    /** The worker's newest version seen: a broken stream resumes after it. */
    let seen = 0;
    /** Commands about one task go out one after another, as the real proxy sends them. */
    const lanes = new Lanes();
    /** Per task, the run waiting in its lane, not sent yet: a stop of its placement queued behind it cancels it. */
    const unsent = new Map<string, { placement: string; cancelled: boolean }>();

    function unreachable(reason: string): void {
      report({ type: 'worker.unreachable', worker: input.name, reason: `${input.address}: ${reason}`, at: now() });
    }

    /** GET /events, followed until it breaks; then reopened after `delay`. */
    function follow(): void {
      if (stopped) return;
      let idle: ReturnType<typeof setTimeout> | undefined;
      let lastArrival = 0;
      let unsubscribe: (() => void) | undefined;
      let ended = false;
      const end = (reason: string) => {
        if (ended) return;
        ended = true;
        clearTimeout(idle);
        unsubscribe?.();
        link?.streams.delete(current);
        if (stopped) return;
        unreachable(reason);
        retry = later(delay, follow);
        delay = Math.min(5000, delay * 2);
      };
      const watchdog = () => {
        clearTimeout(idle);
        idle = later(options.idleMs, () => end(`no word from the worker for ${options.idleMs} ms`));
      };
      const current = {
        broken: false,
        reset: (reason: string) => end(reason),
        close: () => {
          ended = true;
          clearTimeout(idle);
          unsubscribe?.();
          link?.streams.delete(current);
        },
      };
      stream = current;
      watchdog();
      if (!link) return;
      link.streams.add(current);
      const there = link.delay('toWorker');
      if (there === undefined) return; // the connection attempt is lost: the watchdog ends it
      later(there, () => {
        if (ended) return;
        if (!link.address.endpoint()) {
          const back = link.delay('toManager');
          if (back !== undefined) later(back, () => end('ECONNREFUSED'));
          return;
        }
        const since = seen > 0 ? seen : undefined;
        link.address.when((endpoint) => {
          if (ended) return;
          unsubscribe = endpoint.events(
            (message) =>
              link.address.outbound(endpoint, () => {
                if (ended || current.broken) return;
                const wait = link.streamDelay();
                if (wait === undefined) {
                  current.broken = true; // silently: only the watchdog will tell
                  return;
                }
                const arrival = Math.max(lastArrival, Date.now() + wait);
                lastArrival = arrival;
                const data = wire(message);
                later(arrival - Date.now(), () => {
                  if (ended || stopped) return;
                  watchdog();
                  delay = 100;
                  // The manager knows this worker by the name it was given; heartbeats are timed on arrival.
                  let read: FromWorker | undefined;
                  try {
                    read = readWorkerMessage(data.type, data, input.name, now());
                  } catch (error) {
                    return end(`its event stream sent something that Cube cannot read (${error instanceof ValidationError ? error.message : String(error)})`);
                  }
                  if (!read) return;
                  if (read.type === 'task.updated') seen = Math.max(seen, read.task.Version);
                  if (read.type === 'worker.tasks') seen = Math.max(seen, ...read.tasks.map((t) => t.Version));
                  report(read);
                });
              }),
            since,
          );
        });
      });
    }

    /** One request and its answer; `onAnswer` runs if it comes back in time, `onLost` when the call fails. */
    function request(
      timeoutMs: number,
      ask: (endpoint: WorkerEndpoint) => Answer | Promise<Answer>,
      onAnswer: (a: Answer) => void,
      onLost: (reason: string) => void,
      onStopped: () => void = () => undefined,
    ): void {
      let settled = false;
      const timer = later(timeoutMs, () => settle(() => onLost('no answer in time')));
      function settle(work: () => void) {
        if (settled) return;
        if (stopped) {
          settled = true;
          clearTimeout(timer);
          return onStopped();
        }
        settled = true;
        clearTimeout(timer);
        work();
      }
      if (!link) return settle(() => onLost('ECONNREFUSED'));
      const deliver = () => {
        const there = link.delay('toWorker');
        if (there === undefined) return; // lost: the timeout tells
        later(there, () => {
          if (!link.address.endpoint()) {
            const back = link.delay('toManager');
            if (back !== undefined) later(back, () => settle(() => onLost('ECONNREFUSED')));
            return;
          }
          link.address.when(async (endpoint) => {
            const result = wire(await ask(endpoint));
            link.address.outbound(endpoint, () => {
              const back = link.delay('toManager');
              if (back !== undefined) later(back, () => settle(() => onAnswer(result)));
            });
          });
        });
      };
      deliver();
      if (link.duplicates()) deliver();
    }

    /** One call; resolves when it is answered or has failed, so the next about the same task may go. */
    function call(command: Extract<ToWorker, { type: 'task.run' | 'task.stop' }>): Promise<void> {
      const [id, placement] = command.type === 'task.run' ? [command.task.ID, command.task.Placement] : [command.id, command.placement];
      const timeout = command.type === 'task.stop' ? options.stopTimeoutMs + options.callTimeoutMs : options.callTimeoutMs;
      return new Promise((done) => {
        const undelivered = (reason: string) => {
          options.trace.add('manager', `${command.type} ${id} (placement ${placement}) → ${input.name} not delivered: ${reason}`);
          report({ type: 'task.undelivered', worker: input.name, id, placement, command: command.type, reason: `${input.address}: ${reason}`, at: now() });
          done();
        };
        request(
          timeout,
          async (endpoint) => {
            if (command.type === 'task.run') return endpoint.post({ Task: command.task }, placement);
            const answer = await endpoint.delete(command.id, placement);
            options.observer.stopAnswered(input.name, command.id, command.placement, answer.status);
            return answer;
          },
          (a) => {
            done();
            if (a.status < 300) return;
            if (a.status >= 500 || a.status === 401) return undelivered(`answered ${a.status}: ${messageOf(a)}`);
            report({
              type: 'task.refused',
              worker: input.name,
              id,
              placement,
              command: command.type === 'task.run' ? 'run' : 'stop',
              reason: messageOf(a),
              status: a.status,
            });
          },
          undelivered,
          () => done(),
        );
      });
    }

    /** Queues a call behind the earlier ones about the same task (the call reports its own failure). */
    const inLane = (id: string, work: () => Promise<void>): void => void lanes.run(id, work);

    /** What changed after version `since` (GET /tasks?since=N), as src/manager/proxies/remote-worker.ts asks. */
    function syncTasks(since: number | undefined): void {
      const path = since === undefined ? 'GET /tasks' : `GET /tasks?since=${since}`;
      request(
        options.callTimeoutMs,
        (endpoint) => endpoint.tasks(since),
        (a) => {
          if (a.status !== 200) return unreachable(`${path} answered ${a.status}`);
          let listing;
          try {
            listing = readSyncAnswer(a.body, path);
          } catch (error) {
            return unreachable(`${path} answered something that Cube cannot read (${error instanceof ValidationError ? error.message : String(error)})`);
          }
          report({ type: 'worker.tasks', worker: input.name, ...listing, at: now() });
        },
        unreachable,
      );
    }

    receive((message) => {
      switch (message.type) {
        case 'task.run': {
          const id = message.task.ID;
          const ticket = { placement: message.task.Placement, cancelled: false };
          unsent.set(id, ticket);
          return inLane(id, async () => {
            if (unsent.get(id) === ticket) unsent.delete(id);
            if (!ticket.cancelled) await call(message);
          });
        }
        case 'task.stop': {
          // A run of this placement that has not gone out yet never will: the stop alone goes.
          const waiting = unsent.get(message.id);
          if (waiting && samePlacement(waiting.placement, message.placement)) waiting.cancelled = true;
          return inLane(message.id, () => call(message));
        }
        case 'worker.sync':
          return syncTasks(message.since);
      }
    });
    follow();
    return () => {
      stopped = true;
      clearTimeout(retry);
      stream?.close();
    };
  });
}
