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
// Side effects are named and supplied by src/: `containerWatcher` (engine
// events), `reconciler` (lists containers on request and on a timer),
// `statsSampler` (machine stats) and the action `removeContainers`.
import { assign, enqueueActions, fromCallback, raise, sendTo, setup, type AnyEventObject, type AnyStateMachine } from 'xstate';
import { sameRecord } from './definition.js';
import type { Archive } from './archive.js';
import { DoneTasks } from './done-tasks.js';
import { nameTaken, nameTask } from './names.js';
import { byTime, doneOf, expired, finishOrder, isFinished, sweepInterval } from './retention.js';
import { Tombstones } from './tombstones.js';
import { isNewerPlacement, placementBase, placementIncarnation, samePlacement, workerPlacementId } from '../src/vocabulary/placement.js';
import { firstVersion } from '../src/vocabulary/version.js';
import { newShardPool, place, release, type ShardPool } from './shard-pool.js';
import { shardMachine, type ShardEvent, type ShardInput } from './shard.js';
import { refusalReason, type TaskMachineEvent, type TaskPolicy } from './task.js';
import type { FromWorker, ToWorker, WorkerStats } from '../src/vocabulary/protocol.js';
import { KEEP_ALL, type Retention } from '../src/vocabulary/retention.js';
import { TaskState, ZERO_TIME, type Task } from '../src/vocabulary/task.js';
import { keptPlacements, type Tombstone } from '../src/vocabulary/tombstone.js';

export interface WorkerInput {
  name: string;
  policy: TaskPolicy;
  /** At most this many task actors per shard (machines/shard-pool.ts). */
  shardCapacity?: number;
  /** Run by a manager in the same process: report to the parent too. */
  embedded?: boolean;
  /** Task records loaded from disk (not Completed): their actors resume where they were. */
  restore?: Task[];
  /** Completed tasks loaded from disk: their records stay there. The worker takes them over. */
  done?: DoneTasks;
  /** Placements stopped here, loaded from disk: their late runs are refused. */
  tombstones?: Tombstone[];
  /** What the store held at the start, read when asked instead of at start (machines/archive.ts). */
  archive?: Archive;
  /** How long, and how many, finished tasks are kept (default: all, forever). */
  retention?: Retention;
  /** When the worker started (RFC 3339): restored restarts wait until their due time from then. */
  startedAt?: string;
}

/** A container as the reconciler saw it. */
export interface ObservedContainer {
  taskId: string;
  containerId: string;
  running: boolean;
  /** Paused through Docker: alive, not running. */
  paused: boolean;
  /** Known only for containers that are not running. */
  exitCode: number | null;
}

export type MachineStats = Omit<WorkerStats, 'Worker' | 'TaskCount' | 'Runtime' | 'RuntimeProblem'>;

type Run = Extract<ToWorker, { type: 'task.run' }>;
type Listing = Extract<FromWorker, { type: 'worker.tasks' }>;
type Stop = Extract<ToWorker, { type: 'task.stop' }>;

export type WorkerEvent =
  | ToWorker
  | { type: 'task.changed'; task: Task }
  | { type: 'container.exited'; taskId: string; containerId: string; exitCode: number; oom: boolean; outside: boolean; at: string }
  | { type: 'container.removed'; taskId: string; containerId: string; at: string }
  | { type: 'container.paused'; taskId: string; containerId: string; paused: boolean; at: string }
  | { type: 'runtime.connected'; at: string }
  | { type: 'runtime.disconnected'; reason: string; at: string }
  /** The reconciler's listing, taken after every change up to version `asOf`. */
  | { type: 'containers.observed'; containers: ObservedContainer[]; asOf: number; at: string }
  | { type: 'stats.sampled'; stats: MachineStats; at: string }
  /** The store's answer to `persistIntent`: a command is carried out only once it is written. */
  | { type: 'intent.persisted'; id: string; ok: boolean; problem: string }
  /** A manager's sync over HTTP (GET /tasks?since=N, src/worker/service.ts): it has applied this worker's changes up to `since`. */
  | { type: 'manager.heard'; since: number };

/** A command that waits for its intent to be written before it is carried out. */
type Intent = { kind: 'run'; run: Run; task: Task } | { kind: 'stop'; stop: Stop; placement: string; forward: boolean };

export interface WorkerContext {
  name: string;
  policy: TaskPolicy;
  embedded: boolean;
  startedAt: string | undefined;
  /** Which shard holds which task actor. */
  pool: ShardPool;
  /**
   * The latest record of every task not Completed. A Map mutated in place:
   * copying 10k records per update would make each update O(n).
   */
  tasks: Map<string, Task>;
  /** Completed tasks: their records are final and live in the store. */
  done: DoneTasks;
  /** Finished tasks (Completed, or Failed for good) → when they finished (ms), in that order: what retention sweeps. */
  finished: Map<string, number>;
  retention: Retention;
  /** When the next sweep is due (ms): heartbeats, which carry the time, drive it. */
  nextSweep: number;
  /**
   * The newest version of this worker its manager has applied, as the
   * manager's last sync said (`since`): 0 until then once a manager has sent
   * it a task (or it restored one a manager placed), undefined for a worker
   * used alone. A finished record newer than it may be news the manager has
   * not had: a sweep keeps it until the retention period is over.
   */
  heardUpTo: number | undefined;
  /** The record each task actor last reported, to tell news from a repeated snapshot. */
  fromActors: Map<string, Task>;
  /** The version of the latest change; every record carries the version of its last change. */
  seq: number;
  /** Stopped placements per task (placement bases, newest last). */
  tombstones: Tombstones;
  /** When each task's newest tombstone was left (ms), oldest first: a tombstone of a task this worker never had goes a retention period later. */
  buried: Map<string, number>;
  /** Commands waiting for `intent.persisted`, by task. */
  intents: Map<string, Intent>;
  /** Runs of a new placement that wait for the old one to finish stopping, by task. */
  deferred: Map<string, Run>;
  /** Tasks not yet Completed: what holds resources here. */
  active: number;
  /** Name → ID of the tasks not Completed (machines/names.ts). */
  names: Map<string, string>;
  runtimeProblem: string;
  stats: WorkerStats | null;
}

// ---- pure decisions ------------------------------------------------------------

export type RunDecision = { action: 'spawn' | 'restart' | 'defer' | 'none' } | { action: 'refuse'; reason: string };
export type StopDecision = { action: 'forward' | 'tombstone' | 'none' } | { action: 'refuse'; reason: string };

/**
 * A run of `placement` ("" for a client's POST on the worker API, which names
 * none). A client's POST follows docs/spec.md §1: new → run it; Running or
 * Failed → restart it; Completed → refuse. The manager's runs name their
 * placement, and a run is idempotent per placement: the same placement is left
 * as it is, another one replaces what the worker has (a restart, a changed
 * definition, or a task moved back here after an old copy was stopped).
 */
export function decideRun(record: Known | undefined, placement: string): RunDecision {
  if (!record) return { action: 'spawn' };
  if (placement !== '' && samePlacement(record.Placement, placement)) return { action: 'none' };
  switch (record.StateName) {
    case 'completed':
      return placement === '' ? { action: 'refuse', reason: refusalReason(record, 'restart') } : { action: 'spawn' };
    case 'stopping':
      // The old placement is on its way out; the new one starts once it is gone.
      return placement === '' ? { action: 'refuse', reason: refusalReason(record, 'restart') } : { action: 'defer' };
    case 'pending':
    case 'scheduled':
      // A client's repeated POST of a task on its way changes nothing.
      return placement === '' ? { action: 'none' } : { action: 'restart' };
    default:
      return { action: 'restart' };
  }
}

/**
 * A stop of `placement` ("" for a client's DELETE on the worker API: whatever
 * the worker has). A stop of a placement the worker does not have leaves a
 * tombstone, so that its run, if it was overtaken on the way, is refused.
 */
export function decideStop(record: Known | undefined, id: string, placement: string, worker: string): StopDecision {
  const ours = record !== undefined && (placement === '' || samePlacement(record.Placement, placement));
  if (!ours) return placement === '' ? { action: 'refuse', reason: `no task ${id} on worker ${worker}` } : { action: 'tombstone' };
  if (record.StateName === 'stopping') return { action: 'none' };
  if (record.StateName === 'completed') return { action: 'refuse', reason: refusalReason(record, 'stop') };
  return { action: 'forward' };
}

/** What a decision needs of a record: a Completed task's is in the store, its DoneTask says enough. */
type Known = Pick<Task, 'ID' | 'Placement' | 'StateName'>;

const known = (context: WorkerContext, id: string): Known | undefined => {
  const done = context.done.get(id);
  return context.tasks.get(id) ?? (done && { ID: id, Placement: done.Placement, StateName: 'completed' });
};

/** Whether a stop already reached this worker for that placement of the task. */
export const tombstoned = (tombstones: Tombstones, id: string, placement: string): boolean =>
  placement !== '' && (tombstones.get(id)?.includes(placementBase(placement)) ?? false);

/**
 * The newest placement of a task this worker has had or was told to stop,
 * when it is newer than `placement`: a run of an older placement is a late
 * message (overtaken by a newer decision), never a new one.
 */
export function newerThan(record: Known | undefined, tombstones: Tombstones, id: string, placement: string): string | undefined {
  const seen = [...(tombstones.get(id) ?? []), ...(record ? [record.Placement] : [])];
  return seen.find((other) => isNewerPlacement(other, placement));
}

/**
 * Compares what the engine has with what the tasks believe. Returns the facts
 * each task missed (its container died or vanished while nobody listened) and
 * the containers nobody wants (those of Completed tasks, and dead leftovers of
 * earlier runs). Containers of tasks this worker does not know are left alone:
 * the manager may be about to send their task again, and then they are adopted.
 * A task changed after the listing was asked for (`asOf`) is not judged: the
 * listing may predate what the task knows (a container still being created).
 */
export function reconcilePlan(tasks: Map<string, Task>, containers: ObservedContainer[], asOf: number, at: string, done: DoneTasks = new DoneTasks()) {
  const facts: { id: string; event: TaskMachineEvent }[] = [];
  const unwanted: string[] = [];
  const byId = new Map(containers.map((c) => [c.containerId, c]));
  const settled = (task: Task | undefined): task is Task => task !== undefined && task.Version <= asOf;
  for (const container of containers) {
    const completed = done.get(container.taskId);
    if (completed) {
      if (completed.Version <= asOf) unwanted.push(container.containerId);
      continue;
    }
    const task = tasks.get(container.taskId);
    if (!settled(task)) continue;
    const leftover = task.StateName === 'running' && container.containerId !== task.ContainerID && !container.running && !container.paused;
    if (leftover) unwanted.push(container.containerId);
  }
  for (const task of tasks.values()) {
    if (task.StateName !== 'running' || !settled(task)) continue;
    const container = byId.get(task.ContainerID);
    if (!container) {
      facts.push({ id: task.ID, event: { type: 'container.missing', containerId: task.ContainerID, at } });
    } else if (!container.running && !container.paused) {
      facts.push({
        id: task.ID,
        event: { type: 'container.exited', containerId: task.ContainerID, exitCode: container.exitCode ?? -1, oom: false, outside: false, at },
      });
    }
  }
  return { facts, unwanted };
}

/**
 * What a worker reports it has (`worker.tasks`): everything, or, after
 * version `since`, the records that changed and the names of every task not
 * Completed (`held`), so the cost of a sync follows the work, not the
 * history. A `since` past the newest version (the worker lost its state) gets
 * everything.
 */
export function listing(context: Pick<WorkerContext, 'name' | 'tasks' | 'done' | 'seq'>, since: number | undefined, at: string): Listing {
  const base = { type: 'worker.tasks' as const, worker: context.name, at, version: context.seq };
  if (since === undefined || since > context.seq) return { ...base, tasks: [...context.tasks.values()], done: [...context.done.values()] };
  const tasks: Task[] = [];
  const held: Listing['held'] = [];
  for (const task of context.tasks.values()) {
    if (task.Version > since) tasks.push(task);
    held.push({ ID: task.ID, Placement: task.Placement, StateName: task.StateName });
  }
  return { ...base, tasks, done: [...context.done.changedSince(since)], held };
}

/** A task placed by a manager (`<incarnation>.<seq>`), not POSTed to this worker by a client. */
const managerPlaced = (task: Pick<Task, 'Placement'>): boolean => placementIncarnation(task.Placement) !== '';

/**
 * Whether the manager may not have heard that task `id` finished: its record
 * is newer than what the manager's last sync said it applied. Pruned before
 * the manager hears it (its report lost in a partition), the task would be
 * missing from the next listing, and the manager would send its run again.
 */
function unheard(context: WorkerContext, id: string): boolean {
  if (context.heardUpTo === undefined) return false;
  const version = context.tasks.get(id)?.Version ?? context.done.get(id)?.Version ?? 0;
  return version > context.heardUpTo;
}

/**
 * The finished tasks (and tombstones of tasks this worker never had) that a
 * sweep at `now` removes: the same rules as the manager's (machines/retention.ts),
 * except that a finish the manager has not heard of waits for it, or for the
 * retention period to be over, whichever comes first.
 */
export function sweepPlan(context: WorkerContext, now: number, forget: { id: string; placement: string }[] = []): string[] {
  const finished = byTime(context.finished, context.done.archivedByFinish());
  const count = context.finished.size + context.done.archivedCount;
  const ids = new Set(expired(finished, count, context.retention, now, (id, pastPeriod) => context.intents.has(id) || (!pastPeriod && unheard(context, id))));
  for (const { id, placement } of forget) {
    const record = known(context, id);
    if (record && isFinished(record) && samePlacement(record.Placement, placement) && !context.intents.has(id)) ids.add(id);
  }
  // `buried` is in the order the tombstones were left, so a sweep reads the expired ones and stops.
  const before = now - context.retention.ms;
  for (const [id, at] of context.buried) {
    if (at > before) break;
    if (!context.tasks.has(id) && !context.done.has(id)) ids.add(id);
  }
  for (const id of context.tombstones.buriedBefore(before)) if (!context.tasks.has(id) && !context.done.has(id)) ids.add(id);
  return [...ids];
}

/** The part of XState's `enqueue` that pruning needs. */
interface PruneEnqueue {
  (action: { type: 'removeContainers'; params: { containerIds: string[] } } | { type: 'forgetRecords'; params: { ids: string[] } }): void;
  sendTo(to: string, event: ShardEvent): void;
  stopChild(id: string): void;
}

/**
 * Removes pruned tasks from memory (the store follows): a Failed one's actor
 * is stopped and its container removed, as a DELETE would, without a report.
 */
function prune(context: WorkerContext, ids: string[], enqueue: PruneEnqueue): void {
  if (ids.length === 0) return;
  const containers: string[] = [];
  for (const id of ids) {
    const record = context.tasks.get(id);
    if (record) {
      const shard = context.pool.of.get(id);
      if (shard) enqueue.sendTo(shard, { type: 'shard.drop', id });
      const over = release(context.pool, id);
      if (over) enqueue.stopChild(over);
      if (record.ContainerID) containers.push(record.ContainerID);
      nameTask(context.names, record, { ...record, State: TaskState.Completed });
      context.tasks.delete(id);
      context.fromActors.delete(id);
      context.active -= Number(isActive(record));
    }
    context.done.delete(id);
    context.finished.delete(id);
    context.tombstones.delete(id);
    context.buried.delete(id);
  }
  if (containers.length > 0) enqueue({ type: 'removeContainers', params: { containerIds: containers } });
  enqueue({ type: 'forgetRecords', params: { ids } });
}

/** The heartbeat: the latest stats, once there are any. */
const statsMessage = ({ context, event }: { context: WorkerContext; event: { at?: string } }): FromWorker | undefined =>
  context.stats ? { type: 'worker.stats', worker: context.name, stats: context.stats, at: event.at ?? '' } : undefined;

const isActive = (task: Task | undefined) => task !== undefined && task.State !== TaskState.Completed;

// ---- the machine -----------------------------------------------------------------

const refusal = (
  context: WorkerContext,
  id: string,
  placement: string,
  command: 'run' | 'stop',
  reason: string,
  requestId?: string,
  status?: number,
): FromWorker => ({
  type: 'task.refused',
  worker: context.name,
  id,
  placement,
  command,
  reason,
  ...(requestId === undefined ? {} : { requestId }),
  ...(status === undefined ? {} : { status }),
});

export const workerMachine = setup({
  types: {
    context: {} as WorkerContext,
    input: {} as WorkerInput,
    events: {} as WorkerEvent,
    emitted: {} as FromWorker,
  },
  actors: {
    shard: shardMachine,
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
    /** Gives a task an actor, in a shard with room (opening a shard when all are full). */
    spawnTask: enqueueActions(({ context, enqueue, self }, params: { task: Task; at?: string; first?: TaskMachineEvent }) => {
      const { shard, opened } = place(context.pool, params.task.ID);
      if (opened) {
        // The shard logic as src/ provides it, as a definition of its own, whose
        // memoized lookups go with the shard (machines/shard-pool.ts). XState
        // types an inline child without an id; a shard needs one, to be sent to.
        // (self is the worker's Actor, whose logic is its machine, also while it starts and has no snapshot yet.)
        const worker = (self as unknown as { logic: AnyStateMachine }).logic;
        const logic = (worker.implementations.actors['shard'] as typeof shardMachine).provide({});
        const spawnShard = enqueue.spawnChild as unknown as (logic: typeof shardMachine, options: { id: string; input: ShardInput }) => void;
        spawnShard(logic, { id: shard, input: { worker: context.name, policy: context.policy } });
      }
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
  context: ({ input }) => {
    // Restored records get versions of this start: what was seen before it, and not written, was lower.
    let stored = 0;
    for (const task of input.restore ?? []) stored = Math.max(stored, task.Version);
    const done = input.done ?? new DoneTasks(input.archive);
    stored = Math.max(stored, done.newestVersion);
    let seq = input.startedAt === undefined ? stored : firstVersion(stored, input.startedAt);
    // A Completed record is final: it keeps its version, and stays in the store.
    const tasks = new Map<string, Task>();
    for (const task of input.restore ?? []) {
      if (task.State === TaskState.Completed) done.set(task.ID, doneOf(task));
      else tasks.set(task.ID, { ...task, Version: ++seq });
    }
    const names = new Map<string, string>();
    for (const task of tasks.values()) nameTask(names, undefined, task);
    const tombstones = new Tombstones(input.archive);
    const buried = new Map<string, number>();
    for (const { id, placement, at } of input.tombstones ?? []) {
      tombstones.set(id, keptPlacements([...(tombstones.get(id) ?? []), placement]));
      // A sweep goes by the time only for tombstones of tasks this worker does not have; a task's own go with it.
      if (!at || tasks.has(id) || done.has(id)) continue;
      buried.delete(id);
      buried.set(id, Date.parse(at)); // the order they were left: a sweep stops at the first one kept
    }
    return {
      names,
      name: input.name,
      policy: input.policy,
      embedded: input.embedded ?? false,
      startedAt: input.startedAt,
      pool: newShardPool(input.shardCapacity),
      tasks,
      done,
      finished: finishOrder(tasks.values(), done, 0),
      retention: input.retention ?? KEEP_ALL,
      nextSweep: 0,
      // Restored tasks a manager placed: that manager has heard nothing of this start yet.
      heardUpTo: [...tasks.values()].some(managerPlaced) ? 0 : undefined,
      fromActors: new Map(),
      seq,
      tombstones,
      buried,
      intents: new Map(),
      deferred: new Map(),
      active: [...tasks.values()].filter(isActive).length,
      runtimeProblem: '',
      stats: null,
    };
  },
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
  on: {
    'task.run': [
      {
        guard: 'isTombstoned',
        actions: {
          type: 'report',
          params: ({ context, event }) =>
            refusal(
              context,
              event.task.ID,
              event.task.Placement,
              'run',
              `placement ${event.task.Placement} of task ${event.task.ID} was stopped before it reached worker ${context.name}; it does not run`,
              event.requestId,
              409,
            ),
        },
      },
      {
        guard: 'isOlderRun',
        actions: {
          type: 'report',
          params: ({ context, event }) => {
            const newer = newerThan(known(context, event.task.ID), context.tombstones, event.task.ID, event.task.Placement);
            const why = `placement ${event.task.Placement} of task ${event.task.ID} is older than placement ${newer}, which worker ${context.name} already had; it does not run`;
            return refusal(context, event.task.ID, event.task.Placement, 'run', why, event.requestId, 409);
          },
        },
      },
      {
        actions: enqueueActions(({ context, event, enqueue }) => {
          const id = event.task.ID;
          // A manager's task: its finishes wait for the manager to hear them before the count prunes them.
          if (context.heardUpTo === undefined && managerPlaced(event.task)) enqueue.assign({ heardUpTo: 0 });
          const record = context.tasks.get(id);
          const taken = record === undefined ? nameTaken(context.names, context.tasks, event.task) : undefined;
          const decision: RunDecision = taken ? { action: 'refuse', reason: taken } : decideRun(known(context, id), event.task.Placement);
          // A client's POST names no placement: this worker makes one.
          const placement = event.task.Placement || workerPlacementId(context.name, context.seq + 1);
          if (decision.action === 'spawn') {
            // A task from a manager keeps the time the manager accepted it; one POSTed here is accepted now.
            const SubmitTime = event.task.SubmitTime === ZERO_TIME ? event.at : event.task.SubmitTime;
            const task: Task = {
              ...event.task,
              Placement: placement,
              State: TaskState.Pending,
              StateName: 'pending',
              Worker: context.name,
              SubmitTime,
              Version: 0,
            };
            context.intents.set(id, { kind: 'run', run: event, task });
            enqueue({ type: 'persistIntent', params: { id, task } });
          } else if (decision.action === 'restart') {
            enqueue({ type: 'toTask', params: { id, event: { type: 'restart', task: { ...event.task, Placement: placement }, at: event.at } } });
          } else if (decision.action === 'defer') {
            context.deferred.set(id, event);
          } else if (decision.action === 'refuse') {
            enqueue({ type: 'report', params: refusal(context, id, event.task.Placement, 'run', decision.reason, event.requestId, 409) });
          }
        }),
      },
    ],
    'task.stop': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const record = context.tasks.get(event.id);
        const decision = decideStop(known(context, event.id), event.id, event.placement, context.name);
        if (decision.action === 'refuse') {
          enqueue({ type: 'report', params: refusal(context, event.id, event.placement, 'stop', decision.reason, event.requestId, 404) });
          return;
        }
        if (decision.action === 'none') return;
        const placement = decision.action === 'forward' ? record!.Placement : event.placement;
        if (context.deferred.get(event.id)?.task.Placement === event.placement) context.deferred.delete(event.id);
        context.intents.set(event.id, { kind: 'stop', stop: event, placement, forward: decision.action === 'forward' });
        enqueue({ type: 'persistIntent', params: { id: event.id, tombstone: { id: event.id, placement, at: event.at } } });
      }),
    },
    'intent.persisted': [
      {
        guard: 'intentStored',
        actions: enqueueActions(({ context, event, enqueue }) => {
          const intent = context.intents.get(event.id);
          if (!intent) return;
          context.intents.delete(event.id);
          if (intent.kind === 'run') {
            enqueue({ type: 'spawnTask', params: { task: intent.task, first: { type: 'schedule', worker: context.name, at: intent.run.at } } });
            return;
          }
          enqueue({ type: 'leaveTombstone', params: { id: event.id, placement: intent.placement, at: intent.stop.at } });
          if (intent.forward) {
            enqueue({ type: 'toTask', params: { id: event.id, event: { type: 'stop', at: intent.stop.at } } });
          } else {
            const why = `placement ${intent.placement} of task ${event.id} is not on worker ${context.name}; it will not run here`;
            enqueue({ type: 'report', params: refusal(context, event.id, intent.placement, 'stop', why, intent.stop.requestId, 404) });
          }
        }),
      },
      {
        // Not written: nothing was done, and the caller hears why (503).
        actions: enqueueActions(({ context, event, enqueue }) => {
          const intent = context.intents.get(event.id);
          if (!intent) return;
          context.intents.delete(event.id);
          const [command, placement, requestId] =
            intent.kind === 'run'
              ? (['run', intent.task.Placement, intent.run.requestId] as const)
              : (['stop', intent.placement, intent.stop.requestId] as const);
          const why = `worker ${context.name} could not store the ${command} of task ${event.id}: ${event.problem}; nothing was done, try again`;
          enqueue({ type: 'report', params: refusal(context, event.id, placement, command, why, requestId, 503) });
        }),
      },
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
        prune(context, sweepPlan(context, Date.parse(event.at), event.forget), enqueue as unknown as PruneEnqueue),
      ),
    },
    'task.changed': {
      // Shards relay every snapshot; only a changed record is news. A task is
      // Pending here only for the instant before the worker schedules it:
      // reporting that would move a manager's Scheduled record backwards.
      guard: ({ context, event }) => {
        if (context.fromActors.get(event.task.ID) === event.task || event.task.StateName === 'pending') return false;
        const kept = context.tasks.get(event.task.ID);
        return kept === undefined || !sameRecord(kept, event.task);
      },
      actions: enqueueActions(({ context, event, enqueue }) => {
        const previous = context.tasks.get(event.task.ID);
        const task: Task = { ...event.task, Version: ++context.seq };
        context.fromActors.set(task.ID, event.task);
        nameTask(context.names, previous, task);
        if (!isFinished(task)) context.finished.delete(task.ID);
        else if (!context.finished.has(task.ID)) context.finished.set(task.ID, Date.parse(task.FinishTime) || 0);
        if (task.State === TaskState.Completed) {
          const over = release(context.pool, task.ID); // its actor is gone
          if (over) enqueue.stopChild(over);
          context.fromActors.delete(task.ID);
          // A Completed record is final: it is saved, and only its DoneTask stays in memory.
          context.tasks.delete(task.ID);
          context.done.set(task.ID, doneOf(task));
        } else {
          context.done.delete(task.ID);
          context.tasks.set(task.ID, task);
        }
        context.active += Number(isActive(task)) - Number(isActive(previous));
        enqueue({ type: 'save', params: { task } });
        enqueue({ type: 'report', params: { type: 'task.updated', worker: context.name, task } });
        // A new placement that waited for this one to finish stopping starts now.
        const waiting = context.deferred.get(task.ID);
        if (waiting && task.State === TaskState.Completed) {
          context.deferred.delete(task.ID);
          enqueue.raise(waiting);
        }
      }),
    },
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
      actions: enqueueActions(({ context, event, enqueue }) => {
        const plan = reconcilePlan(context.tasks, event.containers, event.asOf, event.at, context.done);
        for (const fact of plan.facts) enqueue({ type: 'toTask', params: fact });
        if (plan.unwanted.length > 0) enqueue({ type: 'removeContainers', params: { containerIds: plan.unwanted } });
      }),
    },
    'stats.sampled': {
      actions: [
        assign({
          stats: ({ context, event }) => ({
            ...event.stats,
            Worker: context.name,
            TaskCount: context.active,
            Runtime: context.runtimeProblem ? ('down' as const) : ('up' as const),
            RuntimeProblem: context.runtimeProblem,
          }),
        }),
        { type: 'report', params: statsMessage },
        // The heartbeat is the worker's clock: a sweep runs when one is due.
        enqueueActions(({ context, event, enqueue }) => {
          const now = Date.parse(event.at);
          if (now < context.nextSweep) return;
          context.nextSweep = now + sweepInterval(context.retention);
          prune(context, sweepPlan(context, now), enqueue as unknown as PruneEnqueue);
        }),
      ],
    },
  },
});

export type WorkerMachine = typeof workerMachine;
