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
import { assign, enqueueActions, fromCallback, sendTo, setup, type AnyEventObject } from 'xstate';
import { nameTaken, nameTask } from './names.js';
import { newShardPool, place, release, type ShardPool } from './shard-pool.js';
import { shardMachine } from './shard.js';
import { refusalReason, type TaskMachineEvent, type TaskPolicy } from './task.js';
import type { FromWorker, ToWorker, WorkerStats } from '../src/vocabulary/protocol.js';
import { TaskState, ZERO_TIME, type Task } from '../src/vocabulary/task.js';

export interface WorkerInput {
  name: string;
  policy: TaskPolicy;
  /** At most this many task actors per shard (machines/shard-pool.ts). */
  shardCapacity?: number;
  /** Run by a manager in the same process: report to the parent too. */
  embedded?: boolean;
  /** Task records loaded from disk: their actors resume where they were. */
  restore?: Task[];
}

/** A container as the reconciler saw it. */
export interface ObservedContainer {
  taskId: string;
  containerId: string;
  running: boolean;
  /** Known only for containers that are not running. */
  exitCode: number | null;
}

export type MachineStats = Omit<WorkerStats, 'Worker' | 'TaskCount' | 'Runtime' | 'RuntimeProblem'>;

export type WorkerEvent =
  | ToWorker
  | { type: 'task.changed'; task: Task }
  | { type: 'container.exited'; taskId: string; containerId: string; exitCode: number; oom: boolean; outside: boolean; at: string }
  | { type: 'container.removed'; taskId: string; containerId: string; at: string }
  | { type: 'runtime.connected'; at: string }
  | { type: 'runtime.disconnected'; reason: string; at: string }
  | { type: 'containers.observed'; containers: ObservedContainer[]; at: string }
  | { type: 'stats.sampled'; stats: MachineStats; at: string };

export interface WorkerContext {
  name: string;
  policy: TaskPolicy;
  embedded: boolean;
  /** Which shard holds which task actor. */
  pool: ShardPool;
  /**
   * The latest record of every task, Completed ones included. A Map mutated
   * in place: copying 10k records per update would make each update O(n).
   */
  tasks: Map<string, Task>;
  /** Tasks not yet Completed: what holds resources here. */
  active: number;
  /** Name → ID of the tasks not Completed (machines/names.ts). */
  names: Map<string, string>;
  runtimeProblem: string;
  stats: WorkerStats | null;
}

// ---- pure decisions ------------------------------------------------------------

export type RunDecision = { action: 'spawn' | 'restart' | 'none' } | { action: 'refuse'; reason: string };
export type StopDecision = { action: 'forward' | 'none' } | { action: 'refuse'; reason: string };

/**
 * POST of a task (docs/spec.md §1): new → run it; Running or Failed → restart it;
 * Completed → refuse. With `ensure`, a task already here is left as it is.
 */
export function decideRun(record: Task | undefined, ensure = false): RunDecision {
  if (!record) return { action: 'spawn' };
  if (ensure && record.StateName !== 'completed') return { action: 'none' };
  switch (record.StateName) {
    case 'running':
    case 'failed':
    case 'restarting':
      return { action: 'restart' };
    case 'pending':
    case 'scheduled':
      return { action: 'none' }; // already on its way: a repeated POST changes nothing
    default:
      return { action: 'refuse', reason: refusalReason(record, 'restart') };
  }
}

/** DELETE of a task: stop it unless it is already stopping or stopped. */
export function decideStop(record: Task | undefined, id: string, worker: string): StopDecision {
  if (!record) return { action: 'refuse', reason: `no task ${id} on worker ${worker}` };
  if (record.StateName === 'stopping') return { action: 'none' };
  if (record.StateName === 'completed') return { action: 'refuse', reason: refusalReason(record, 'stop') };
  return { action: 'forward' };
}

/**
 * Compares what the engine has with what the tasks believe. Returns the facts
 * each task missed (its container died or vanished while nobody listened) and
 * the containers nobody wants (those of Completed tasks, and dead leftovers of
 * earlier runs). Containers of tasks this worker does not know are left alone:
 * the manager may be about to send their task again, and then they are adopted.
 */
export function reconcilePlan(tasks: Map<string, Task>, containers: ObservedContainer[], at: string) {
  const facts: { id: string; event: TaskMachineEvent }[] = [];
  const unwanted: string[] = [];
  const byId = new Map(containers.map((c) => [c.containerId, c]));
  for (const container of containers) {
    const task = tasks.get(container.taskId);
    if (!task) continue;
    const leftover = task.StateName === 'running' && container.containerId !== task.ContainerID && !container.running;
    if (task.StateName === 'completed' || leftover) unwanted.push(container.containerId);
  }
  for (const task of tasks.values()) {
    if (task.StateName !== 'running') continue;
    const container = byId.get(task.ContainerID);
    if (!container) {
      facts.push({ id: task.ID, event: { type: 'container.missing', containerId: task.ContainerID, at } });
    } else if (!container.running) {
      facts.push({
        id: task.ID,
        event: { type: 'container.exited', containerId: task.ContainerID, exitCode: container.exitCode ?? -1, oom: false, outside: false, at },
      });
    }
  }
  return { facts, unwanted };
}

/** The heartbeat: the latest stats, once there are any. */
const statsMessage = ({ context, event }: { context: WorkerContext; event: { at?: string } }): FromWorker | undefined =>
  context.stats ? { type: 'worker.stats', worker: context.name, stats: context.stats, at: event.at ?? '' } : undefined;

const isActive = (task: Task | undefined) => task !== undefined && task.State !== TaskState.Completed;

// ---- the machine -----------------------------------------------------------------

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
  actions: {
    /** Publishes a message: to listeners in this process, and to the manager that embeds this worker. */
    report: enqueueActions(({ context, enqueue }, message: FromWorker | undefined) => {
      if (!message) return;
      enqueue.emit(message);
      if (context.embedded) enqueue.sendParent(message);
    }),
    /** Gives a task an actor, in a shard with room (opening a shard when all are full). */
    spawnTask: enqueueActions(({ context, enqueue }, params: { task: Task }) => {
      const { shard, opened } = place(context.pool, params.task.ID);
      if (opened) enqueue.spawnChild('shard', { id: shard, input: { worker: context.name, policy: context.policy } });
      enqueue.sendTo(shard, { type: 'shard.spawn', task: params.task });
    }),
    /** Delivers an event to a task's actor; a task with none (Completed, or unknown) ignores it. */
    toTask: enqueueActions(({ context, enqueue }, params: { id: string; event: TaskMachineEvent }) => {
      const shard = context.pool.of.get(params.id);
      if (shard) enqueue.sendTo(shard, { type: 'shard.forward', id: params.id, event: params.event });
    }),
    /** Whether the engine answers, reflected in the stats at once (not at the next sample). */
    setRuntime: assign(({ context }, params: { problem: string }) => ({
      runtimeProblem: params.problem,
      stats: context.stats && { ...context.stats, Runtime: params.problem ? ('down' as const) : ('up' as const), RuntimeProblem: params.problem },
    })),
    /** Stops and removes containers nobody wants; supplied by src/. */
    removeContainers: (_, _params: { containerIds: string[] }) => undefined,
    /** Asks the reconciler for the containers, naming those that running tasks own. */
    requestReconcile: sendTo('reconciler', ({ context }) => ({
      type: 'reconcile',
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
    const tasks = new Map((input.restore ?? []).map((t) => [t.ID, t]));
    const names = new Map<string, string>();
    for (const task of tasks.values()) nameTask(names, undefined, task);
    return {
      names,
      name: input.name,
      policy: input.policy,
      embedded: input.embedded ?? false,
      pool: newShardPool(input.shardCapacity),
      tasks,
      active: [...tasks.values()].filter(isActive).length,
      runtimeProblem: '',
      stats: null,
    };
  },
  entry: enqueueActions(({ context, enqueue }) => {
    for (const task of context.tasks.values()) {
      if (task.StateName !== 'completed') enqueue({ type: 'spawnTask', params: { task } });
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
    'task.run': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const id = event.task.ID;
        const taken = context.tasks.has(id) ? undefined : nameTaken(context.names, context.tasks, event.task);
        const decision: RunDecision = taken ? { action: 'refuse', reason: taken } : decideRun(context.tasks.get(id), event.ensure);
        if (decision.action === 'spawn') {
          // A task from a manager keeps the time the manager accepted it; one POSTed here is accepted now.
          const SubmitTime = event.task.SubmitTime === ZERO_TIME ? event.at : event.task.SubmitTime;
          const task: Task = { ...event.task, State: TaskState.Pending, StateName: 'pending', Worker: context.name, SubmitTime };
          enqueue({ type: 'spawnTask', params: { task } });
          enqueue({ type: 'toTask', params: { id, event: { type: 'schedule', worker: context.name, at: event.at } } });
        } else if (decision.action === 'restart') {
          enqueue({ type: 'toTask', params: { id, event: { type: 'restart', at: event.at } } });
        } else if (decision.action === 'refuse') {
          enqueue({
            type: 'report',
            params: { type: 'task.refused', worker: context.name, id, command: 'run', reason: decision.reason, requestId: event.requestId },
          });
        }
      }),
    },
    'task.stop': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const decision = decideStop(context.tasks.get(event.id), event.id, context.name);
        if (decision.action === 'forward') {
          enqueue({ type: 'toTask', params: { id: event.id, event: { type: 'stop', at: event.at } } });
        } else if (decision.action === 'refuse') {
          enqueue({
            type: 'report',
            params: { type: 'task.refused', worker: context.name, id: event.id, command: 'stop', reason: decision.reason, requestId: event.requestId },
          });
        }
      }),
    },
    'worker.sync': {
      actions: {
        type: 'report',
        params: ({ context, event }) => ({ type: 'worker.tasks', worker: context.name, tasks: [...context.tasks.values()], at: event.at }),
      },
    },
    'task.changed': {
      // Shards relay every snapshot; only a changed record is news. A task is
      // Pending here only for the instant before the worker schedules it:
      // reporting that would move a manager's Scheduled record backwards.
      guard: ({ context, event }) => context.tasks.get(event.task.ID) !== event.task && event.task.StateName !== 'pending',
      actions: [
        assign(({ context, event }) => {
          const previous = context.tasks.get(event.task.ID);
          nameTask(context.names, previous, event.task);
          if (event.task.State === TaskState.Completed) release(context.pool, event.task.ID); // its actor is gone
          context.tasks.set(event.task.ID, event.task);
          return { active: context.active + Number(isActive(event.task)) - Number(isActive(previous)) };
        }),
        { type: 'report', params: ({ context, event }) => ({ type: 'task.updated', worker: context.name, task: event.task }) },
      ],
    },
    'container.exited': {
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
    'runtime.disconnected': { actions: [{ type: 'setRuntime', params: ({ event }) => ({ problem: event.reason }) }, { type: 'report', params: statsMessage }] },
    'containers.observed': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const plan = reconcilePlan(context.tasks, event.containers, event.at);
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
      ],
    },
  },
});

export type WorkerMachine = typeof workerMachine;
