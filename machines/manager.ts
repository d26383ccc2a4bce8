// The manager: the parent actor of its workers (docs/spec.md §4, docs/architecture.md §1–2).
//
// It keeps the ledger (machines/manager/ledger.ts), places tasks with the
// scheduler it is given, and talks to every worker with the messages of
// src/vocabulary/protocol.ts. A worker in this process is a child running the
// worker machine (`localWorker`); a worker elsewhere is a child proxy that
// turns the same messages into HTTP calls (`remoteWorker`). The manager cannot
// tell the two apart. Time comes from `tick` events of the `clock` actor.
//
// The checks that keep stale facts out are named guards (`isStaleReport`,
// `isOlderReport`, `intentStored`) and the writes are named actions
// (`persistIntent`, `save`): src/ supplies the writes, and a test can swap
// any of them to see what breaks.
import { enqueueActions, fromCallback, raise, setup, type AnyEventObject } from 'xstate';
import type { LogEntry } from '../src/vocabulary/log-entry.js';
import type { FromWorker, ToWorker } from '../src/vocabulary/protocol.js';
import type { Task } from '../src/vocabulary/task.js';
import type { Retention } from '../src/vocabulary/retention.js';
import { KEEP_ALL } from '../src/vocabulary/retention.js';
import { LOG_LIMIT, newLedger, type Ledger, type Effects, type PlacementPolicy, type Restore, type WorkerEntry } from './manager/ledger.js';
import { carryOut, dropIntent, stop, submit } from './manager/commands.js';
import { adoptOrphans, checkLiveness, heard, suspect, undelivered } from './manager/liveness.js';
import { compareListed, isOlder, isStale, mirror, refused, stopStaleCopy } from './manager/mirror.js';
import { placeIfRoomFreed } from './manager/placement.js';
import { sweep, sweepIfDue, type Swept } from './manager/retention.js';
import { drain, join, relabel, remove, undrain, volumeRemoved } from './manager/membership.js';
import { workerMachine } from './worker.js';
import type { WorkerInput } from './worker/context.js';
import { serviceChild, type ServiceEvent, type ServiceInput, type ServiceRequest } from './service.js';
import type { Service } from '../src/vocabulary/service.js';
import type { LabelEdits } from '../src/vocabulary/labels.js';
import { copiesOf, startCopy, stopCopies, stopCopy, stopOrphanCopies } from './manager/services.js';

export interface WorkerSpec {
  name: string;
  /** host:port of a remote worker, or "in-process". */
  address: string;
  /** Given for a worker that runs in this process: its machine's input. */
  local?: Omit<WorkerInput, 'embedded'>;
  /** Drained before this start (`cube node drain`): it takes no new tasks. */
  draining?: boolean;
  /** It joined at runtime (`cube worker --join`). */
  joined?: boolean;
  /** The operator's changes to its labels, kept by the store (`cube node label`). */
  labelEdits?: LabelEdits;
}

/** The input of a remote worker's proxy: `since` is the newest version of that worker the manager has applied. */
export interface RemoteWorkerInput {
  name: string;
  address: string;
  since?: number;
}

export interface ManagerInput {
  workers: WorkerSpec[];
  placement: PlacementPolicy;
  heartbeatTtlMs: number;
  /** When the manager started (RFC 3339): a worker never heard from is down a TTL later. */
  startedAt: string;
  /** Unique to this start of the manager: part of every placement ID it makes. */
  incarnation: string;
  restore?: Restore;
  /** How long, and how many, finished tasks are kept (default: all, forever). */
  retention?: Retention;
}

export interface ManagerContext {
  workers: WorkerSpec[];
  placement: PlacementPolicy;
  heartbeatTtlMs: number;
  retention: Retention;
  ledger: Ledger;
}

export type ManagerEvent =
  | { type: 'task.submit'; task: Task; at: string; requestId?: string }
  | { type: 'task.stop'; id: string; at: string; requestId?: string }
  /** The store's answer to `persistIntent`: a user's command is carried out only once it is written. */
  | { type: 'intent.persisted'; id: string; ok: boolean; problem: string }
  | { type: 'tick'; at: string }
  /** Sweep finished tasks now (POST /gc), or forget the one finished task `only`; answered with `retention.swept`. */
  | { type: 'retention.sweep'; at: string; requestId?: string; only?: string }
  /** Raised after the reports of a full list from a worker: compare what it leaves out. */
  | { type: 'worker.listed'; listing: Extract<FromWorker, { type: 'worker.tasks' }> }
  /** Workers that join and leave at runtime (machines/manager/membership.ts); the edge stored each change first. */
  | { type: 'worker.join'; name: string; address: string; at: string }
  | { type: 'worker.drain'; name: string; at: string }
  | { type: 'worker.undrain'; name: string; at: string }
  /** The operator's label changes (`cube node label`), laid over what the worker had; the edge stored the result first. */
  | { type: 'worker.label'; name: string; edits: LabelEdits; at: string }
  | { type: 'worker.remove'; name: string; at: string }
  /** A named volume was removed from a worker: nothing is tied to that worker by it any more. */
  | { type: 'volume.removed'; worker: string; volume: string; at: string }
  /** Services (docs/spec.md §9): the edge stored the record (or its removal) first. */
  | { type: 'service.create'; service: Service; at: string }
  | { type: 'service.remove'; name: string; at: string }
  /** What a service's machine asks of the manager: start a copy, stop one. */
  | ServiceRequest
  | FromWorker;

export type ManagerEmitted =
  | { type: 'task.updated'; task: Task }
  /** A user's command refused: 409 for what the ledger forbids, 503 when its intent could not be written. */
  | { type: 'task.refused'; id: string; reason: string; status: number; requestId?: string }
  /** A worker took a new placement (its first report) or refused it: what a user's restart waits for. */
  | { type: 'placement.answered'; id: string; placement: string; refusal?: string }
  | { type: 'worker.changed'; worker: WorkerEntry }
  | { type: 'worker.removed'; name: string }
  /** A service was deleted: its machine is stopped, and its copies are being stopped. */
  | { type: 'service.removed'; name: string }
  | { type: 'log'; entry: LogEntry }
  /** Finished tasks left the ledger (retention): they are no more. */
  | { type: 'tasks.pruned'; ids: string[] }
  /** What a sweep asked for (`retention.sweep`) did. */
  | ({ type: 'retention.swept'; requestId?: string } & Swept);

/** The part of XState's `enqueue` the ledger's effects need. */
interface Enqueue {
  (
    action:
      | { type: 'save'; params: { task: Task; stopRequested: boolean } }
      | { type: 'persistIntent'; params: { task: Task; stopRequested: boolean } }
      | { type: 'forgetRecords'; params: { ids: string[] } },
  ): void;
  sendTo(to: string, event: ToWorker | ServiceEvent): void;
  emit(event: ManagerEmitted): void;
  raise(event: ManagerEvent): void;
}

/** Turns the ledger's effects into actions of the event being handled. */
function effects(enqueue: Enqueue, ledger: Ledger): Effects {
  return {
    send: (worker, message) => {
      if (ledger.workers.has(worker)) return enqueue.sendTo(`worker:${worker}`, message);
      // A worker this manager was not started with (its list changed): nobody can carry the command.
      if (message.type === 'worker.sync' || message.type === 'worker.gc') return;
      const [id, placement] = message.type === 'task.run' ? [message.task.ID, message.task.Placement] : [message.id, message.placement];
      const reason = `worker ${worker} is not one of this manager's workers (--workers)`;
      enqueue.raise({ type: 'task.undelivered', worker, id, placement, command: message.type, reason, at: ledger.now });
    },
    changed: (task) => {
      const stopping = ledger.stopRequested.has(task.ID);
      enqueue({ type: 'save', params: { task, stopRequested: stopping } });
      enqueue.emit({ type: 'task.updated', task });
      // A service's copy: its machine follows every change of it.
      if (task.Service !== '' && ledger.services.has(task.Service)) {
        enqueue.sendTo(`service:${task.Service}`, { type: 'copy.changed', report: { task, stopping }, at: ledger.now });
      }
    },
    persist: (task, stopRequested) => enqueue({ type: 'persistIntent', params: { task, stopRequested } }),
    placementAnswered: (id, placement, refusal) => enqueue.emit({ type: 'placement.answered', id, placement, ...(refusal === undefined ? {} : { refusal }) }),
    refused: (id, reason, status, requestId) => enqueue.emit({ type: 'task.refused', id, reason, status, ...(requestId === undefined ? {} : { requestId }) }),
    workerChanged: (worker) => enqueue.emit({ type: 'worker.changed', worker: { ...worker } }),
    workerRemoved: (name) => enqueue.emit({ type: 'worker.removed', name }),
    note: (entry) => {
      ledger.log.push(entry);
      if (ledger.log.length > LOG_LIMIT) ledger.log.splice(0, ledger.log.length - LOG_LIMIT);
      enqueue.emit({ type: 'log', entry });
    },
    pruned: (ids) => {
      enqueue({ type: 'forgetRecords', params: { ids } });
      enqueue.emit({ type: 'tasks.pruned', ids });
    },
    toService: (name, event) => {
      if (ledger.services.has(name)) enqueue.sendTo(`service:${name}`, event);
    },
  };
}

type Of<T extends ManagerEvent['type']> = Extract<ManagerEvent, { type: T }>;
type Handler<T extends ManagerEvent['type']> = (context: ManagerContext, event: Of<T>, fx: Effects) => string | void;

/** What each event does to the ledger: one function of machines/manager/* each. A string is a refusal (409). */
const handlers: {
  [
    T in Exclude<
      ManagerEvent['type'],
      'task.updated' | 'worker.tasks' | 'intent.persisted' | 'retention.sweep' | 'worker.join' | 'worker.remove' | 'service.create' | 'service.remove'
    >
  ]: Handler<T>;
} = {
  'task.submit': (c, e, fx) => submit(c.ledger, c.placement, e.task, e.at, e.requestId, fx),
  'task.stop': (c, e, fx) => stop(c.ledger, c.placement, e.id, e.at, e.requestId, fx),
  tick: (c, e, fx) => {
    // Never back: a report heard just before the tick may have dated the ledger a moment after it.
    if (Date.parse(e.at) > Date.parse(c.ledger.now)) c.ledger.now = e.at;
    checkLiveness(c.ledger, c.placement, c.heartbeatTtlMs, e.at, fx);
    sweepIfDue(c.ledger, c.placement, c.retention, e.at, fx);
    for (const name of c.ledger.services) fx.toService(name, { type: 'tick', at: e.at });
  },
  'copy.start': (c, e, fx) => startCopy(c.ledger, c.placement, e.service, e.task, e.at, fx),
  'copy.stop': (c, e, fx) => stopCopy(c.ledger, c.placement, e.service, e.id, e.why, e.at, fx),
  'worker.listed': (c, e, fx) => compareListed(c.ledger, c.placement, e.listing, fx),
  'worker.stats': (c, e, fx) => heard(c.ledger, c.placement, e.worker, e.stats, e.at, fx),
  'worker.unreachable': (c, e, fx) => suspect(c.ledger, e.worker, e.reason, e.at, fx),
  'task.undelivered': (c, e, fx) => undelivered(c.ledger, c.placement, e, fx),
  'task.refused': (c, e, fx) => refused(c.ledger, c.placement, e, c.ledger.now, fx),
  'worker.drain': (c, e, fx) => drain(c.ledger, c.placement, e.name, e.at, fx),
  'worker.undrain': (c, e, fx) => undrain(c.ledger, c.placement, e.name, e.at, fx),
  'volume.removed': (c, e, fx) => volumeRemoved(c.ledger, c.placement, e.worker, e.volume, e.at, fx),
  'worker.label': (c, e, fx) => relabel(c.ledger, c.placement, e.name, e.edits, e.at, fx),
};

/** Spawns the child that speaks for a worker: the worker machine itself in this process, a proxy for one elsewhere. */
function spawnWorker(
  enqueue: { spawnChild: (src: 'localWorker' | 'remoteWorker', options: { id: string; systemId: string; input: unknown }) => void },
  spec: WorkerSpec,
  /** The newest version of the worker the manager has applied: its proxy's first sync asks for what changed after it. */
  since: number,
): void {
  const id = `worker:${spec.name}`;
  if (spec.local) enqueue.spawnChild('localWorker', { id, systemId: id, input: { ...spec.local, embedded: true } });
  else enqueue.spawnChild('remoteWorker', { id, systemId: id, input: { name: spec.name, address: spec.address, since } satisfies RemoteWorkerInput });
}

/** Spawns a service's machine, with the records of its copies the ledger holds. */
function spawnService(
  enqueue: { spawnChild: (src: 'service', options: { id: string; systemId: string; input: ServiceInput }) => void },
  ledger: Ledger,
  service: Service,
  at: string,
): void {
  const id = `service:${service.Name}`;
  ledger.services.add(service.Name);
  enqueue.spawnChild('service', { id, systemId: id, input: { service, copies: copiesOf(ledger, service.Name), at } });
}

/** The effects of the event being handled, for the ledger's functions. */
const fxOf = (enqueue: unknown, ledger: Ledger): Effects => effects(enqueue as Enqueue, ledger);

export const managerMachine = setup({
  types: {
    context: {} as ManagerContext,
    input: {} as ManagerInput,
    events: {} as ManagerEvent,
    emitted: {} as ManagerEmitted,
  },
  actors: {
    localWorker: workerMachine,
    /** A service's machine; src/ supplies its store (`persist`, `save`). */
    service: serviceChild,
    // Supplied by src/: the HTTP proxy of a remote worker, and the clock.
    remoteWorker: fromCallback<ToWorker, RemoteWorkerInput>(() => undefined),
    clock: fromCallback<AnyEventObject, { heartbeatTtlMs: number }>(() => undefined),
  },
  delays: {
    /** CUBE_RECONCILE_INTERVAL; supplied by src/. */
    reconcileInterval: 15_000,
  },
  guards: {
    /** A report about a copy the manager no longer wants (machines/manager/mirror.ts). */
    isStaleReport: ({ context, event }) => event.type === 'task.updated' && isStale(context.ledger, event),
    /** A report not newer than one already applied for its placement. */
    isOlderReport: ({ context, event }) => event.type === 'task.updated' && isOlder(context.ledger, event),
    /** The store wrote the user's command: only then is it carried out. */
    intentStored: ({ event }) => event.type === 'intent.persisted' && event.ok,
  },
  actions: {
    /** Applies the event to the ledger; a refused command is emitted with its reason for the caller. */
    updateLedger: enqueueActions(({ context, event, enqueue }) => {
      const handle = handlers[event.type as keyof typeof handlers] as Handler<ManagerEvent['type']>;
      const refusal = handle(context, event, fxOf(enqueue, context.ledger));
      placeIfRoomFreed(context.ledger, context.placement, context.ledger.now, fxOf(enqueue, context.ledger));
      if (refusal && (event.type === 'task.submit' || event.type === 'task.stop')) {
        const id = event.type === 'task.submit' ? event.task.ID : event.id;
        const status = event.type === 'task.stop' && !context.ledger.tasks.has(id) && !context.ledger.done.has(id) ? 404 : 409;
        enqueue.emit({ type: 'task.refused', id, reason: refusal, status, ...(event.requestId === undefined ? {} : { requestId: event.requestId }) });
      }
    }),
    /**
     * Writes a user's command's intent and answers with `intent.persisted`;
     * supplied by src/ from the manager's store. This default keeps everything
     * in memory: it is always stored.
     */
    persistIntent: raise((_, params: { task: Task; stopRequested: boolean }): ManagerEvent => ({
      type: 'intent.persisted',
      id: params.task.ID,
      ok: true,
      problem: '',
    })),
    /** Writes a changed record; supplied by src/ (a failed write is retried there). */
    save: (_, _params: { task: Task; stopRequested: boolean }) => undefined,
    /** Removes pruned records from the store; supplied by src/. */
    forgetRecords: (_, _params: { ids: string[] }) => undefined,
    /** A sweep asked for now: its result goes to whoever asked. */
    sweepNow: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'retention.sweep') return;
      const { ledger, placement, retention } = context;
      const swept = sweep(ledger, placement, retention, event.at, fxOf(enqueue, ledger), event.only === undefined, event.only);
      enqueue.emit({ type: 'retention.swept', ...swept, ...(event.requestId === undefined ? {} : { requestId: event.requestId }) });
    }),
    /**
     * A report dated by the proxy that heard it moves the manager's time on: what it changes (a copy
     * that turned healthy, what its service does about it) is dated when it happened, not at the last tick.
     */
    keepTime: ({ context, event }) => {
      if (event.type === 'task.updated' && event.at !== undefined && Date.parse(event.at) > Date.parse(context.ledger.now)) context.ledger.now = event.at;
    },
    /** The newest version of a worker the manager has heard of: the next sync asks for what changed after it. */
    hear: ({ context, event }) => {
      const [worker, version] =
        event.type === 'task.updated' ? [event.worker, event.task.Version] : event.type === 'worker.tasks' ? [event.worker, event.version ?? 0] : ['', 0];
      if (!context.ledger.heard.has(worker)) return;
      // A full listing tells the worker's version as it is, lower too (a worker that lost its state starts again).
      const full = event.type === 'worker.tasks' && event.held === undefined && event.version !== undefined;
      context.ledger.heard.set(worker, full ? version : Math.max(context.ledger.heard.get(worker)!, version));
    },
    carryOutIntent: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'intent.persisted') carryOut(context.ledger, context.placement, event.id, fxOf(enqueue, context.ledger));
    }),
    dropIntent: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'intent.persisted') dropIntent(context.ledger, context.placement, event.id, event.problem, fxOf(enqueue, context.ledger));
    }),
    stopStaleCopy: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'task.updated') stopStaleCopy(context.ledger, context.placement, event, context.ledger.now, fxOf(enqueue, context.ledger));
    }),
    mirrorReport: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'task.updated') return;
      const fx = fxOf(enqueue, context.ledger);
      mirror(context.ledger, context.placement, event, context.ledger.now, fx);
      placeIfRoomFreed(context.ledger, context.placement, context.ledger.now, fx);
    }),
    /** A full list is many reports: each goes through the same checks, then what it leaves out is compared. */
    splitListing: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'worker.tasks') return;
      for (const task of event.tasks) enqueue.raise({ type: 'task.updated', worker: event.worker, task });
      enqueue.raise({ type: 'worker.listed', listing: event });
    }),
    /** The safety net: every worker reports what changed since the manager last heard, and names what it has, to be compared with the ledger. */
    syncWorkers: enqueueActions(({ context, enqueue }) => {
      for (const name of context.ledger.workers.keys()) {
        enqueue.sendTo(`worker:${name}`, { type: 'worker.sync', at: context.ledger.now, since: context.ledger.heard.get(name) ?? 0 } satisfies ToWorker);
      }
    }),
    /** A worker joined: its proxy is spawned, and it takes tasks from its first heartbeat. */
    joinWorker: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'worker.join') return;
      const joined = join(context.ledger, context.placement, event.name, event.address, event.at, fxOf(enqueue, context.ledger));
      if (joined === 'same') return;
      if (joined === 'moved') enqueue.stopChild(`worker:${event.name}`); // its proxy spoke to the old address
      spawnWorker(enqueue as never, { name: event.name, address: event.address }, context.ledger.heard.get(event.name) ?? 0);
    }),
    /** A worker is forgotten: its child is stopped, and its tasks are placed again. */
    removeWorker: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'worker.remove' || !context.ledger.workers.has(event.name)) return;
      enqueue.stopChild(`worker:${event.name}`);
      remove(context.ledger, context.placement, event.name, event.at, fxOf(enqueue, context.ledger));
    }),
    /** Tasks restored on a worker this manager no longer has are placed again (or completed, if a stop was asked). */
    adoptOrphans: enqueueActions(({ context, enqueue }) => adoptOrphans(context.ledger, context.placement, fxOf(enqueue, context.ledger))),
    /** A service's record is stored: its machine starts, and starts its copies. */
    createService: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'service.create' || context.ledger.services.has(event.service.Name)) return;
      spawnService(enqueue as never, context.ledger, event.service, event.at);
      fxOf(enqueue, context.ledger).note({ Time: event.at, Type: 'Service Created', Message: `service ${event.service.Name}: ${event.service.Count} copies` });
    }),
    /** A service's removal is stored: its machine stops, and so does every copy. */
    removeService: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'service.remove' || !context.ledger.services.has(event.name)) return;
      enqueue.stopChild(`service:${event.name}`);
      context.ledger.services.delete(event.name);
      const fx = fxOf(enqueue, context.ledger);
      const stopped = stopCopies(context.ledger, context.placement, event.name, `service ${event.name} was deleted`, event.at, fx);
      fx.note({ Time: event.at, Type: 'Service Deleted', Message: `service ${event.name}: ${stopped} copies stopped` });
      enqueue.emit({ type: 'service.removed', name: event.name });
    }),
    /** Copies of a service this manager has no record of (deleted while it was down) are stopped. */
    stopOrphanCopies: enqueueActions(({ context, enqueue }) =>
      stopOrphanCopies(context.ledger, context.placement, context.ledger.now, fxOf(enqueue, context.ledger)),
    ),
  },
}).createMachine({
  id: 'manager',
  context: ({ input }) => ({
    workers: input.workers,
    placement: input.placement,
    heartbeatTtlMs: input.heartbeatTtlMs,
    retention: input.retention ?? KEEP_ALL,
    ledger: newLedger(input.workers, input.placement, input.startedAt, input.incarnation, input.restore),
  }),
  // Workers are children named worker:<name>, wherever they run.
  entry: [
    enqueueActions(({ context, enqueue }) => {
      for (const spec of context.workers) spawnWorker(enqueue as never, spec, context.ledger.heard.get(spec.name) ?? 0);
    }),
    // Services are children named service:<name>, spawned again from their records: before the orphans are adopted,
    // whose changes are told to their services (a copy on a worker left out of the list is placed again).
    enqueueActions(({ context, event, enqueue }) => {
      const input = (event as unknown as { input: ManagerInput }).input;
      for (const service of input.restore?.services ?? []) spawnService(enqueue as never, context.ledger, service, context.ledger.startedAt);
    }),
    'adoptOrphans',
    'stopOrphanCopies',
  ],
  invoke: { id: 'clock', src: 'clock', input: ({ context }) => ({ heartbeatTtlMs: context.heartbeatTtlMs }) },
  initial: 'serving',
  states: {
    serving: {
      after: { reconcileInterval: { target: 'serving', reenter: true, actions: 'syncWorkers' } },
    },
  },
  on: {
    'task.updated': [
      { guard: 'isStaleReport', actions: ['keepTime', 'hear', 'stopStaleCopy'] },
      { guard: 'isOlderReport', actions: ['keepTime', 'hear'] },
      { actions: ['keepTime', 'hear', 'mirrorReport'] },
    ],
    'worker.tasks': { actions: ['hear', 'splitListing'] },
    'retention.sweep': { actions: 'sweepNow' },
    'intent.persisted': [{ guard: 'intentStored', actions: 'carryOutIntent' }, { actions: 'dropIntent' }],
    'worker.join': { actions: 'joinWorker' },
    'worker.remove': { actions: 'removeWorker' },
    'service.create': { actions: 'createService' },
    'service.remove': { actions: 'removeService' },
    // Every other event updates the ledger; which way is in `handlers` above.
    ...(Object.fromEntries(Object.keys(handlers).map((type) => [type, { actions: 'updateLedger' }])) as Record<
      keyof typeof handlers,
      { actions: 'updateLedger' }
    >),
  },
});

export type ManagerMachine = typeof managerMachine;
