// The manager: the parent actor of its workers (docs/spec.md §4, docs/architecture.md §1–2).
//
// It keeps the book (machines/manager/book.ts), places tasks with the
// scheduler it is given, and talks to every worker with the messages of
// src/protocol.ts. A worker in this process is a child running the worker
// machine (`localWorker`); a worker elsewhere is a child proxy that turns the
// same messages into HTTP calls (`remoteWorker`). The manager cannot tell the
// two apart. Time comes from `tick` events of the `clock` actor.
import { enqueueActions, fromCallback, setup, type AnyEventObject } from 'xstate';
import type { FromWorker, ToWorker } from '../src/vocabulary/protocol.js';
import type { Task } from '../src/vocabulary/task.js';
import type { LogEntry } from '../src/vocabulary/log-entry.js';
import { LOG_LIMIT, newBook, type Book, type Effects, type PlacementPolicy, type WorkerEntry } from './manager/book.js';
import { stop, submit } from './manager/commands.js';
import { checkLiveness, heard, suspect, undelivered } from './manager/liveness.js';
import { mirror, refused, sync } from './manager/mirror.js';
import { workerMachine, type WorkerInput } from './worker.js';

export interface WorkerSpec {
  name: string;
  /** host:port of a remote worker, or "in-process". */
  address: string;
  /** Given for a worker that runs in this process: its machine's input. */
  local?: Omit<WorkerInput, 'embedded'>;
}

export interface ManagerInput {
  workers: WorkerSpec[];
  placement: PlacementPolicy;
  heartbeatTtlMs: number;
  /** When the manager started (RFC 3339): a worker never heard from is down a TTL later. */
  startedAt: string;
  restore?: { tasks: Task[]; stopRequested: string[]; log: LogEntry[] };
}

export interface ManagerContext {
  workers: WorkerSpec[];
  placement: PlacementPolicy;
  heartbeatTtlMs: number;
  book: Book;
}

export type ManagerEvent =
  | { type: 'task.submit'; task: Task; at: string; requestId?: string }
  | { type: 'task.stop'; id: string; at: string; requestId?: string }
  | { type: 'tick'; at: string }
  | FromWorker;

export type ManagerEmitted =
  | { type: 'task.updated'; task: Task }
  | { type: 'task.stopPending'; task: Task }
  | { type: 'task.refused'; id: string; reason: string; requestId?: string }
  | { type: 'worker.changed'; worker: WorkerEntry }
  | { type: 'log'; entry: LogEntry };

/** The part of XState's `enqueue` the book's effects need. */
interface Enqueue {
  sendTo(to: string, event: ToWorker): void;
  emit(event: ManagerEmitted): void;
}

/** Turns the book's effects into actions of the event being handled. */
function effects(enqueue: Enqueue, book: Book): Effects {
  return {
    send: (worker, message) => enqueue.sendTo(`worker:${worker}`, message),
    changed: (task) => enqueue.emit({ type: 'task.updated', task }),
    stopPending: (task) => enqueue.emit({ type: 'task.stopPending', task }),
    workerChanged: (worker) => enqueue.emit({ type: 'worker.changed', worker: { ...worker } }),
    note: (entry) => {
      book.log.push(entry);
      if (book.log.length > LOG_LIMIT) book.log.splice(0, book.log.length - LOG_LIMIT);
      enqueue.emit({ type: 'log', entry });
    },
  };
}

type Of<T extends ManagerEvent['type']> = Extract<ManagerEvent, { type: T }>;

/** What each event does to the book: one function of machines/manager/* each. A string is a refusal. */
const handlers: { [T in ManagerEvent['type']]: (context: ManagerContext, event: Of<T>, fx: Effects) => string | void } = {
  'task.submit': (c, e, fx) => submit(c.book, c.placement, e.task, e.at, fx),
  'task.stop': (c, e, fx) => stop(c.book, c.placement, e.id, e.at, fx),
  tick: (c, e, fx) => {
    c.book.now = e.at;
    checkLiveness(c.book, c.placement, c.heartbeatTtlMs, e.at, fx);
  },
  'task.updated': (c, e, fx) => mirror(c.book, c.placement, e.worker, e.task, c.book.now, fx),
  'worker.tasks': (c, e, fx) => sync(c.book, c.placement, e, fx),
  'worker.stats': (c, e, fx) => heard(c.book, c.placement, e.worker, e.stats, e.at, fx),
  'worker.unreachable': (c, e, fx) => suspect(c.book, e.worker, e.reason, e.at, fx),
  'task.undelivered': (c, e, fx) => undelivered(c.book, c.placement, e, fx),
  'task.refused': (c, e, fx) => refused(c.book, c.placement, e, c.book.now, fx),
};

export const managerMachine = setup({
  types: {
    context: {} as ManagerContext,
    input: {} as ManagerInput,
    events: {} as ManagerEvent,
    emitted: {} as ManagerEmitted,
  },
  actors: {
    localWorker: workerMachine,
    // Supplied by src/: the HTTP proxy of a remote worker, and the clock.
    remoteWorker: fromCallback<ToWorker, { name: string; address: string }>(() => undefined),
    clock: fromCallback<AnyEventObject, { heartbeatTtlMs: number }>(() => undefined),
  },
  delays: {
    /** CUBE_RECONCILE_INTERVAL; supplied by src/. */
    reconcileInterval: 15_000,
  },
  actions: {
    /** Applies the event to the book; a refused command is emitted with its reason for the caller. */
    updateBook: enqueueActions(({ context, event, enqueue }) => {
      const handle = handlers[event.type] as (c: ManagerContext, e: ManagerEvent, fx: Effects) => string | void;
      const refusal = handle(context, event, effects(enqueue as unknown as Enqueue, context.book));
      if (refusal && (event.type === 'task.submit' || event.type === 'task.stop')) {
        const id = event.type === 'task.submit' ? event.task.ID : event.id;
        enqueue.emit({ type: 'task.refused', id, reason: refusal, requestId: event.requestId });
      }
    }),
    /** The safety net: every worker reports every task, to be compared with the book. */
    syncWorkers: enqueueActions(({ context, enqueue }) => {
      for (const name of context.book.workers.keys()) {
        enqueue.sendTo(`worker:${name}`, { type: 'worker.sync', at: context.book.now } satisfies ToWorker);
      }
    }),
  },
}).createMachine({
  id: 'manager',
  context: ({ input }) => ({
    workers: input.workers,
    placement: input.placement,
    heartbeatTtlMs: input.heartbeatTtlMs,
    book: newBook(input.workers, input.placement, input.startedAt, input.restore),
  }),
  // Workers are children named worker:<name>, wherever they run.
  entry: enqueueActions(({ context, enqueue }) => {
    for (const spec of context.workers) {
      const id = `worker:${spec.name}`;
      if (spec.local) enqueue.spawnChild('localWorker', { id, systemId: id, input: { ...spec.local, embedded: true } });
      else enqueue.spawnChild('remoteWorker', { id, systemId: id, input: { name: spec.name, address: spec.address } });
    }
  }),
  invoke: { id: 'clock', src: 'clock', input: ({ context }) => ({ heartbeatTtlMs: context.heartbeatTtlMs }) },
  initial: 'serving',
  states: {
    serving: {
      after: { reconcileInterval: { target: 'serving', reenter: true, actions: 'syncWorkers' } },
    },
  },
  // Every event updates the book; which way is in `handlers` above.
  on: Object.fromEntries(Object.keys(handlers).map((type) => [type, { actions: 'updateBook' }])) as Record<ManagerEvent['type'], { actions: 'updateBook' }>,
});

export type ManagerMachine = typeof managerMachine;
