// The worker: the parent actor of its task actors (docs/spec.md §3, docs/architecture.md §1).
//
// The API and the manager only tell it what they want (`task.run`,
// `task.stop`); it decides, from the task records it keeps, whether that means
// a new task actor, a restart, nothing, or a refusal with a reason. Facts from
// the container engine reach the task actors through it. Every change of a
// task is reported: emitted for whoever listens in this process (the HTTP API,
// the store), and sent to the parent when a manager runs this worker in its
// own process.
//
// What each event does is a function of machines/worker/*, over the `Effects`
// that `effects` below turns into XState actions. Side effects are named and
// supplied by src/: `containerWatcher` (engine events), `reconciler` (lists
// containers on request and on a timer), `statsSampler` (machine stats),
// `shard` (the parent of a slice of task actors) and the actions
// `persistIntent`, `save`, `forgetRecords` and `removeContainers`. The checks
// are named guards (`intentStored`, `isTombstoned`, `isOlderRun`, `isNews`)
// and the bookkeeping named actions (`leaveTombstone`, `hearManager`), so
// that a test can swap any of them to see what breaks.
import { assign, enqueueActions, fromCallback, raise, sendTo, setup, type AnyEventObject } from 'xstate';
import { placementBase } from '../src/vocabulary/placement.js';
import type { FromWorker } from '../src/vocabulary/protocol.js';
import type { Task } from '../src/vocabulary/task.js';
import { keptPlacements, type Tombstone } from '../src/vocabulary/tombstone.js';
import { place } from './shard-pool.js';
import { definitionPerShard, shardMachine, type ShardEvent } from './shard.js';
import type { TaskMachineEvent } from './task.js';
import { isNews, recordChange } from './worker/changes.js';
import { carryOut, dropIntent, newerThan, refuseOlderRun, refuseTombstoned, run, stop, tombstoned } from './worker/commands.js';
import { known, newContext, type Effects, type WorkerContext, type WorkerEvent, type WorkerInput } from './worker/context.js';
import { listing } from './worker/listing.js';
import { reconcile } from './worker/reconcile.js';
import { prune, sweepIfDue, sweepPlan } from './worker/retention.js';

/** The part of XState's `enqueue` the worker's effects need. */
interface Enqueue {
  (
    action:
      | { type: 'report'; params: FromWorker }
      | { type: 'persistIntent'; params: { id: string; task?: Task; tombstone?: Tombstone } }
      | { type: 'save'; params: { task: Task } }
      | { type: 'forgetRecords'; params: { ids: string[] } }
      | { type: 'leaveTombstone'; params: Tombstone }
      | { type: 'spawnTask'; params: { task: Task; first: TaskMachineEvent } }
      | { type: 'toTask'; params: { id: string; event: TaskMachineEvent } }
      | { type: 'removeContainers'; params: { containerIds: string[] } },
  ): void;
  sendTo(to: string, event: ShardEvent): void;
  stopChild(id: string): void;
  raise(event: WorkerEvent): void;
}

/** Turns the effects of the event being handled into its actions. */
const effects = (enqueue: Enqueue): Effects => ({
  report: (message) => enqueue({ type: 'report', params: message }),
  persist: (intent) => enqueue({ type: 'persistIntent', params: intent }),
  save: (task) => enqueue({ type: 'save', params: { task } }),
  forget: (ids) => enqueue({ type: 'forgetRecords', params: { ids } }),
  leaveTombstone: (tombstone) => enqueue({ type: 'leaveTombstone', params: tombstone }),
  spawnTask: (task, first) => enqueue({ type: 'spawnTask', params: { task, first } }),
  toTask: (id, event) => enqueue({ type: 'toTask', params: { id, event } }),
  dropTask: (shard, id) => enqueue.sendTo(shard, { type: 'shard.drop', id }),
  stopShard: (shard) => enqueue.stopChild(shard),
  removeContainers: (containerIds) => enqueue({ type: 'removeContainers', params: { containerIds } }),
  runAgain: (waiting) => enqueue.raise(waiting),
});

/** The heartbeat: the latest stats, once there are any. */
const statsMessage = ({ context, event }: { context: WorkerContext; event: { at?: string } }): FromWorker | undefined =>
  context.stats ? { type: 'worker.stats', worker: context.name, stats: context.stats, at: event.at ?? '' } : undefined;

export const workerMachine = setup({
  types: {
    context: {} as WorkerContext,
    input: {} as WorkerInput,
    events: {} as WorkerEvent,
    emitted: {} as FromWorker,
  },
  actors: {
    shard: definitionPerShard(shardMachine),
    containerWatcher: fromCallback<AnyEventObject, { worker: string }>(() => undefined),
    reconciler: fromCallback<AnyEventObject, { worker: string }>(() => undefined),
    statsSampler: fromCallback<AnyEventObject, { worker: string }>(() => undefined),
  },
  guards: {
    /** The store wrote the command's intent: only then is it carried out. */
    intentStored: ({ event }) => event.type === 'intent.persisted' && event.ok,
    /** A stop of this placement reached the worker before its run did. */
    isTombstoned: ({ context, event }) => event.type === 'task.run' && tombstoned(context.tombstones, event.task.ID, event.task.Placement),
    /** A run of a placement older than one this worker already had or stopped. */
    isOlderRun: ({ context, event }) =>
      event.type === 'task.run' && newerThan(known(context, event.task.ID), context.tombstones, event.task.ID, event.task.Placement) !== undefined,
    /** A task actor's snapshot that changes its record (machines/worker/changes.ts). */
    isNews: ({ context, event }) => event.type === 'task.changed' && isNews(context, event.task),
  },
  actions: {
    /** Publishes a message: to listeners in this process, and to the manager that embeds this worker. */
    report: enqueueActions(({ context, enqueue }, message: FromWorker | undefined) => {
      if (!message) return;
      enqueue.emit(message);
      if (context.embedded) enqueue.sendParent(message);
    }),
    /**
     * Writes a command's intent (a new task's record, or a stopped placement)
     * and answers with `intent.persisted`; supplied by src/ from the worker's
     * store. This default keeps everything in memory: it is always stored.
     */
    persistIntent: raise((_, params: { id: string; task?: Task; tombstone?: Tombstone }) => ({
      type: 'intent.persisted' as const,
      id: params.id,
      ok: true,
      problem: '',
    })),
    /** Writes a changed record; supplied by src/ (a failed write is retried there). */
    save: (_, _params: { task: Task }) => undefined,
    /** Removes pruned records and their tombstones from the store; supplied by src/. */
    forgetRecords: (_, _params: { ids: string[] }) => undefined,
    /** Remembers a stopped placement, so its run is refused if it arrives after all. */
    leaveTombstone: assign(({ context }, params: Tombstone) => {
      const kept = (context.tombstones.get(params.id) ?? []).filter((p) => p !== placementBase(params.placement));
      kept.push(placementBase(params.placement));
      context.tombstones.set(params.id, keptPlacements(kept));
      if (params.at) {
        context.buried.delete(params.id); // to the end: `buried` stays in the order tombstones were left
        context.buried.set(params.id, Date.parse(params.at));
      }
      return {};
    }),
    /**
     * Gives a task an actor, in a shard with room (opening a shard when all
     * are full). Each shard has a definition of its own, dropped with it
     * (`definitionPerShard`, machines/shard.ts).
     */
    spawnTask: enqueueActions(({ context, enqueue }, params: { task: Task; at?: string; first?: TaskMachineEvent }) => {
      const { shard, opened } = place(context.pool, params.task.ID);
      if (opened) enqueue.spawnChild('shard', { id: shard, input: { worker: context.name, policy: context.policy } });
      enqueue.sendTo(shard, {
        type: 'shard.spawn',
        task: params.task,
        ...(params.at === undefined ? {} : { at: params.at }),
        ...(params.first === undefined ? {} : { first: params.first }),
      });
    }),
    /** Delivers an event to a task's actor; a task with none (Completed, or unknown) ignores it. */
    toTask: enqueueActions(({ context, enqueue }, params: { id: string; event: TaskMachineEvent }) => {
      const shard = context.pool.of.get(params.id);
      if (shard) enqueue.sendTo(shard, { type: 'shard.forward', id: params.id, event: params.event });
    }),
    /**
     * What a manager's sync from `since` says it has applied of this worker:
     * the latest word, lower too (a new manager, after a failover, may have
     * heard less than the one before); a `since` past this worker's newest
     * version (it lost its state) says nothing of what it has now.
     */
    hearManager: assign(({ context }, params: { since: number | undefined }) => ({
      heardUpTo: params.since === undefined ? context.heardUpTo : params.since > context.seq ? 0 : params.since,
    })),
    /** Whether the engine answers, reflected in the stats at once (not at the next sample). */
    setRuntime: assign(({ context }, params: { problem: string }) => ({
      runtimeProblem: params.problem,
      stats: context.stats && { ...context.stats, Runtime: params.problem ? ('down' as const) : ('up' as const), RuntimeProblem: params.problem },
    })),
    /** The latest stats of the machine, with what only the worker knows. */
    recordStats: assign(({ context, event }) =>
      event.type !== 'stats.sampled'
        ? {}
        : {
            stats: {
              ...event.stats,
              Worker: context.name,
              TaskCount: context.active,
              Runtime: context.runtimeProblem ? ('down' as const) : ('up' as const),
              RuntimeProblem: context.runtimeProblem,
            },
          },
    ),
    /** Stops and removes containers nobody wants; supplied by src/. */
    removeContainers: (_, _params: { containerIds: string[] }) => undefined,
    /** Asks the reconciler for the containers, naming those that running tasks own, as of the latest change. */
    requestReconcile: sendTo('reconciler', ({ context }) => ({
      type: 'reconcile',
      asOf: context.seq,
      containerIds: [...context.tasks.values()].filter((t) => t.StateName === 'running').map((t) => t.ContainerID),
    })),
  },
  delays: {
    /** CUBE_RECONCILE_INTERVAL; supplied by src/. */
    reconcileInterval: 15_000,
  },
}).createMachine({
  id: 'worker',
  context: ({ input }) => newContext(input),
  entry: enqueueActions(({ context, enqueue }) => {
    for (const task of context.tasks.values()) {
      if (task.StateName !== 'completed')
        enqueue({ type: 'spawnTask', params: { task, ...(context.startedAt === undefined ? {} : { at: context.startedAt }) } });
    }
  }),
  invoke: [
    { id: 'containerWatcher', src: 'containerWatcher', input: ({ context }) => ({ worker: context.name }) },
    { id: 'reconciler', src: 'reconciler', input: ({ context }) => ({ worker: context.name }) },
    { id: 'statsSampler', src: 'statsSampler', input: ({ context }) => ({ worker: context.name }) },
  ],
  // Events are the main path; a periodic comparison is the safety net.
  initial: 'serving',
  states: {
    serving: {
      after: { reconcileInterval: { target: 'serving', reenter: true, actions: 'requestReconcile' } },
    },
  },
  // What each event does is a function of machines/worker/*; the effects it asks for become actions here.
  on: {
    'task.run': [
      { guard: 'isTombstoned', actions: enqueueActions(({ context, event, enqueue }) => refuseTombstoned(context, event, effects(enqueue))) },
      { guard: 'isOlderRun', actions: enqueueActions(({ context, event, enqueue }) => refuseOlderRun(context, event, effects(enqueue))) },
      { actions: enqueueActions(({ context, event, enqueue }) => run(context, event, effects(enqueue))) },
    ],
    'task.stop': { actions: enqueueActions(({ context, event, enqueue }) => stop(context, event, effects(enqueue))) },
    'intent.persisted': [
      { guard: 'intentStored', actions: enqueueActions(({ context, event, enqueue }) => carryOut(context, event.id, effects(enqueue))) },
      // Not written: nothing was done, and the caller hears why (503).
      { actions: enqueueActions(({ context, event, enqueue }) => dropIntent(context, event.id, event.problem, effects(enqueue))) },
    ],
    'worker.sync': {
      actions: [
        { type: 'hearManager', params: ({ event }) => ({ since: event.since }) },
        { type: 'report', params: ({ context, event }) => listing(context, event.since, event.at) },
      ],
    },
    'manager.heard': { actions: { type: 'hearManager', params: ({ event }) => ({ since: event.since }) } },
    'worker.gc': {
      actions: enqueueActions(({ context, event, enqueue }) =>
        prune(context, sweepPlan(context, Date.parse(event.at), event.forget), effects(enqueue), Date.parse(event.at)),
      ),
    },
    'task.changed': { guard: 'isNews', actions: enqueueActions(({ context, event, enqueue }) => recordChange(context, event.task, effects(enqueue))) },
    'container.exited': {
      actions: {
        type: 'toTask',
        params: ({ event: { taskId, ...fact } }) => ({ id: taskId, event: fact }),
      },
    },
    'container.paused': {
      actions: {
        type: 'toTask',
        params: ({ event: { taskId, ...fact } }) => ({ id: taskId, event: fact }),
      },
    },
    'container.removed': {
      // A container removed behind Cube's back is a vanished container.
      actions: {
        type: 'toTask',
        params: ({ event }) => ({ id: event.taskId, event: { type: 'container.missing', containerId: event.containerId, at: event.at } }),
      },
    },
    'runtime.connected': {
      // The event stream may have missed deaths while it was down: compare now.
      actions: [{ type: 'setRuntime', params: { problem: '' } }, { type: 'report', params: statsMessage }, 'requestReconcile'],
    },
    'runtime.disconnected': {
      actions: [
        { type: 'setRuntime', params: ({ event }) => ({ problem: event.reason }) },
        { type: 'report', params: statsMessage },
      ],
    },
    'containers.observed': {
      actions: enqueueActions(({ context, event, enqueue }) => reconcile(context, event.containers, event.asOf, event.at, effects(enqueue))),
    },
    'stats.sampled': {
      actions: [
        'recordStats',
        { type: 'report', params: statsMessage },
        // The heartbeat is the worker's clock: a sweep runs when one is due.
        enqueueActions(({ context, event, enqueue }) => sweepIfDue(context, event.at, effects(enqueue))),
      ],
    },
  },
});

export type WorkerMachine = typeof workerMachine;
