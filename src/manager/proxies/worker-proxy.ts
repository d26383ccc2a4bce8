// The proxy of a worker elsewhere, whichever protocol it speaks (docs/api.md,
// "The book's protocol"). Its first answer to GET /events says which: Cube's
// worker opens its event stream (or asks for a token), the book's has no such
// route and answers 404. Then the proxy for that protocol runs as this actor's
// child: commands from the manager go to it, its messages go to the manager,
// and its heartbeats carry the protocol, for GET /nodes and `cube node`.
// Until the worker answers, commands wait here and the worker is reported
// unreachable, as the Cube proxy reports a stream that does not open.
import { assign, enqueueActions, fromPromise, sendParent, sendTo, setup, type AnyActorLogic, type CallbackActorLogic } from 'xstate';
import { backoff, type Backoff } from '../../backoff.js';
import type { Log } from '../../log.js';
import type { RemoteWorkerInput } from '../../../machines/manager.js';
import type { FromWorker, ToWorker, WorkerProtocol } from '../../vocabulary/protocol.js';
import { callError } from '../../http/call-error.js';

const now = () => new Date().toISOString();

/** Asks without the token: a Cube worker that wants one says 401, and a book worker never sees it. */
export async function detectProtocol(address: string, timeoutMs: number, transport: typeof fetch = fetch): Promise<WorkerProtocol> {
  const response = await transport(`http://${address}/events`, { signal: AbortSignal.timeout(timeoutMs) });
  const type = response.headers.get('content-type') ?? '';
  await response.body?.cancel();
  if (response.status === 401 || (response.ok && type.startsWith('text/event-stream'))) return 'cube';
  if (response.status === 404) return 'book';
  throw new Error(`GET /events answered ${response.status} (${type || 'no Content-Type'}), neither Cube's event stream nor the book's 404`);
}

export interface WorkerProxyOptions {
  /** The proxy of each protocol: fromCallback actors taking { name, address }. */
  proxies: Record<WorkerProtocol, AnyActorLogic>;
  detectTimeoutMs: number;
  log: Log;
  /** The HTTP client the default detection asks with (the proxies' own; the global fetch when absent). */
  transport?: typeof fetch;
  detect?: typeof detectProtocol;
}

interface ProxyContext {
  name: string;
  address: string;
  /** The newest version of the worker the manager has applied (Cube's protocol resumes after it). */
  since: number;
  /** Commands that came before the worker answered; the latest per task and kind. */
  waiting: ToWorker[];
  /** The wait before asking again: 100 ms, doubled up to 5 s. */
  nextWait: Backoff;
}

const sameCommand = (a: ToWorker, b: ToWorker) =>
  a.type === b.type && (a.type === 'task.run' ? a.task.ID === (b as typeof a).task.ID : a.type === 'task.stop' ? a.id === (b as typeof a).id : true);

/**
 * The manager names its remote worker as a callback actor (machines/manager.ts);
 * this machine plays that part: the same input, the same messages in and out.
 */
export function workerProxy(options: WorkerProxyOptions): CallbackActorLogic<ToWorker, RemoteWorkerInput> {
  return proxyMachine(options) as unknown as CallbackActorLogic<ToWorker, RemoteWorkerInput>;
}

function proxyMachine(options: WorkerProxyOptions) {
  const detect = options.detect ?? ((address: string, timeoutMs: number) => detectProtocol(address, timeoutMs, options.transport));
  const machine = setup({
    types: { context: {} as ProxyContext, input: {} as RemoteWorkerInput, events: {} as ToWorker | FromWorker },
    actors: {
      detect: fromPromise<WorkerProtocol, { address: string }>(({ input }) => detect(input.address, options.detectTimeoutMs)),
      cube: options.proxies.cube,
      book: options.proxies.book,
    },
    delays: { retry: ({ context }) => context.nextWait.ms },
    actions: {
      wait: assign({ waiting: ({ context, event }) => [...context.waiting.filter((w) => !sameCommand(w, event as ToWorker)), event as ToWorker] }),
      forward: sendTo('proxy', ({ event }) => event),
      passUp: sendParent(({ event }) => event),
      /** Heartbeats say which protocol brought them. */
      passStats: sendParent(({ event }, params: { protocol: WorkerProtocol }) => {
        const stats = event as Extract<FromWorker, { type: 'worker.stats' }>;
        return { ...stats, stats: { ...stats.stats, Protocol: params.protocol } };
      }),
      answered: enqueueActions(({ context, enqueue }, params: { protocol: WorkerProtocol }) => {
        options.log(
          `worker ${context.name} at ${context.address} speaks ${params.protocol === 'book' ? "the book's protocol (GET /events answered 404)" : "Cube's protocol"}`,
        );
        for (const command of context.waiting) enqueue.sendTo('proxy', command);
        enqueue.assign({ waiting: [] });
      }),
      unreachable: sendParent(({ context, event }) => {
        const error = (event as { error?: unknown }).error;
        const reason = `${context.address}: ${error instanceof Error ? callError(error) : String(error)}`;
        return { type: 'worker.unreachable', worker: context.name, reason, at: now() } satisfies FromWorker;
      }),
    },
  });

  const waiting = { 'task.run': { actions: 'wait' }, 'task.stop': { actions: 'wait' }, 'worker.sync': { actions: 'wait' } } as const;
  /** A worker that speaks `protocol`: its proxy runs as the child, and messages pass through. */
  const speaking = (protocol: WorkerProtocol) =>
    ({
      entry: { type: 'answered', params: { protocol } },
      invoke: {
        id: 'proxy',
        src: protocol,
        input: ({ context }: { context: ProxyContext }) => ({ name: context.name, address: context.address, since: context.since }),
      },
      on: {
        'task.run': { actions: 'forward' },
        'task.stop': { actions: 'forward' },
        'worker.sync': { actions: 'forward' },
        'worker.gc': { actions: 'forward' },
        'worker.stats': { actions: { type: 'passStats', params: { protocol } } },
        'task.updated': { actions: 'passUp' },
        'worker.tasks': { actions: 'passUp' },
        'worker.unreachable': { actions: 'passUp' },
        'task.undelivered': { actions: 'passUp' },
        'task.refused': { actions: 'passUp' },
      },
    }) as const;

  return machine.createMachine({
    id: 'workerProxy',
    context: ({ input }) => ({ name: input.name, address: input.address, since: input.since ?? 0, waiting: [], nextWait: backoff(100, 5000) }),
    initial: 'detecting',
    states: {
      detecting: {
        invoke: {
          src: 'detect',
          input: ({ context }) => ({ address: context.address }),
          onDone: [{ guard: ({ event }) => event.output === 'book', target: 'book' }, { target: 'cube' }],
          onError: { target: 'retrying', actions: 'unreachable' },
        },
        on: waiting,
      },
      retrying: {
        after: { retry: { target: 'detecting', actions: assign({ nextWait: ({ context }) => context.nextWait.next() }) } },
        on: waiting,
      },
      cube: speaking('cube'),
      book: speaking('book'),
    },
  });
}
