// The life cycle of one task (docs/spec.md §2) as an XState machine.
//
// Pure: the machine names its side effects (the actors `startContainer`,
// `stopContainer`, `healthCheck` and the delay `restartDelay`) and src/
// supplies them. It never reads a clock: every event carries `at`, stamped by
// whoever observed the fact. So every transition can be tested with
// `transition()` and no Docker, network or timer.
//
// State integers follow the top-level states. Two phases have names of their
// own: `stopping` keeps the State it was stopped from until the container is
// gone, and `restarting` is Failed while the restart delay runs.
import { assign, emit, fromCallback, fromPromise, setup, type ActorRef, type Snapshot, type SnapshotFrom } from 'xstate';
import type { StateName, Task, TaskHistoryEntry, TaskStateNumber } from '../src/vocabulary/task.js';
import type { ActorFailure, Started, Stopped } from '../src/vocabulary/runtime.js';
import { ZERO_TIME } from '../src/vocabulary/task.js';
import { definitionChanges, withDefinition } from './definition.js';
import { restartedPlacement } from '../src/vocabulary/placement.js';

/** The settings that shape a task's life (docs/spec.md §5). */
export interface TaskPolicy {
  restartLimit: number;
  restartDelayMs: number;
  restartDelayMaxMs: number;
  healthFailures: number;
}

/** How many history entries a task keeps (Nomad keeps 10; a few more help with restarts). */
export const HISTORY_LIMIT = 20;

/** Why a task went Failed: what the restart policy decides on. */
export interface Failure {
  kind: 'exited' | 'oom' | 'health' | 'start' | 'lost' | 'unschedulable';
  exitCode: number | null;
  /** The container was stopped through Docker by someone other than Cube. */
  outside: boolean;
}

/** Input of `startContainer`: `parent` is the task actor, to send it `progress` events. */
export interface StartInput {
  task: Task;
  replace: boolean;
  parent: ActorRef<Snapshot<unknown>, TaskMachineEvent>;
}

export interface TaskInput {
  task: Task;
  policy: TaskPolicy;
  /** When the actor was made (RFC 3339): a restored restart waits until its due time from then. */
  at?: string;
}

export interface TaskContext {
  task: Task;
  policy: TaskPolicy;
  /** The next start must replace any container the task still has (a restart). */
  replace: boolean;
  /** Consecutive failed health checks. */
  healthFailures: number;
  failure: Failure | null;
  /** The delay chosen for the restart that is waiting. */
  restartDelayMs: number;
}

export type TaskMachineEvent =
  | { type: 'schedule'; worker: string; at: string }
  | { type: 'unschedulable'; reason: string; at: string }
  | { type: 'progress'; message: string; at: string }
  | { type: 'container.exited'; containerId: string; exitCode: number; oom: boolean; outside: boolean; at: string }
  | { type: 'container.missing'; containerId: string; at: string }
  | { type: 'container.paused'; containerId: string; paused: boolean; at: string }
  | { type: 'health.passed'; at: string }
  | { type: 'health.failed'; reason: string; at: string }
  | { type: 'stop'; at: string }
  /** A new placement of the task on this worker: `task` carries its ID and the definition to run. */
  | { type: 'restart'; task: Task; at: string };

const stateNumber: Record<StateName, TaskStateNumber | null> = {
  pending: 0,
  scheduled: 1,
  running: 2,
  stopping: null, // keeps the State it was stopped from
  completed: 3,
  failed: 4,
  restarting: 4,
};

// ---- pure decisions, exported for tests and for the worker and manager -------

/** Appends a history entry, keeping the newest HISTORY_LIMIT. */
export function withHistory(task: Task, entry: TaskHistoryEntry, replaceSameType = false): Task {
  const events = [...task.Events];
  if (replaceSameType && events.at(-1)?.Type === entry.Type) events.pop();
  events.push(entry);
  return { ...task, Events: events.slice(-HISTORY_LIMIT) };
}

/**
 * A task restored Running by a worker that restarted: its container ran on
 * while nothing checked it, so a pass of its health check from before says
 * nothing of now. Its history says so, and a service counts the copy healthy
 * again only from its next pass (machines/service/copies.ts).
 */
function restoredTask(task: Task, at: string | undefined): Task {
  if (at === undefined || task.StateName !== 'running' || task.HealthCheck === '') return task;
  const Message = `the worker restarted while the container ran; health check ${task.HealthCheck} starts again`;
  return withHistory(task, { Time: at, Type: 'Worker Restarted', Message });
}

/** FNV-1a: a stable hash, so jitter is deterministic per task and attempt. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half spread
 * by a hash of the task and attempt, so tasks that fail together do not
 * restart together, and a test can still predict every delay.
 */
export function restartDelay(task: Pick<Task, 'ID' | 'RestartCount'>, policy: TaskPolicy): number {
  const full = Math.min(policy.restartDelayMaxMs, policy.restartDelayMs * 2 ** task.RestartCount);
  const spread = (hash(`${task.ID}#${task.RestartCount}`) % 1000) / 1000;
  return Math.round(full / 2 + (full / 2) * spread);
}

export type RestartDecision = { restart: true; delayMs: number } | { restart: false; why: string };

/**
 * RestartPolicy (docs/spec.md §1; Cube owns restarts, Docker's is never set):
 *  - "" (default): restart any failure, up to the restart limit. A container
 *    that exits 0 by itself is no failure: the task is a job that is done,
 *    Completed (the `jobDone` guard), and never reaches this decision.
 *  - "on-failure": the same, and a container stopped through Docker that
 *    exits 0 is left alone too.
 *  - "always": restart every failure, with no limit (the delay stays capped).
 *  - "unless-stopped": like always, except a container stopped through Docker
 *    by a person (`docker stop`/`docker kill`) stays stopped.
 * A task that could not be placed is never restarted here: it never ran.
 */
export function restartDecision(task: Task, failure: Failure, policy: TaskPolicy): RestartDecision {
  const policyName = task.RestartPolicy || 'default';
  if (failure.kind === 'unschedulable') return { restart: false, why: 'it was never placed' };
  if (task.RestartPolicy === 'on-failure' && failure.kind === 'exited' && failure.exitCode === 0) {
    return { restart: false, why: 'it exited with code 0 and RestartPolicy is on-failure' };
  }
  if (task.RestartPolicy === 'unless-stopped' && failure.outside) {
    return { restart: false, why: 'it was stopped through Docker and RestartPolicy is unless-stopped' };
  }
  const unlimited = task.RestartPolicy === 'always' || task.RestartPolicy === 'unless-stopped';
  if (!unlimited && task.RestartCount >= policy.restartLimit) {
    return {
      restart: false,
      why: `restart limit reached (${task.RestartCount} of ${policy.restartLimit}, RestartPolicy ${policyName})`,
    };
  }
  return { restart: true, delayMs: restartDelay(task, policy) };
}

/** Why a task refuses `command` in its current state, in words for the API caller. */
export function refusalReason(task: Pick<Task, 'ID' | 'StateName'>, command: string): string {
  if (task.StateName === 'completed') {
    return `task ${task.ID} is completed, which is final; POST it with a new ID to run it again`;
  }
  return `cannot ${command} task ${task.ID}: it is ${task.StateName}`;
}

const exitMessage = (event: { exitCode: number; oom: boolean; outside: boolean }): string =>
  event.oom
    ? `OOM killed: the container went over its Memory limit (exit code ${event.exitCode})`
    : `exited with code ${event.exitCode}${event.outside ? ' (stopped through Docker, not by Cube)' : ''}`;

/** A job that is done: its container exited 0 by itself at `at`, and the task is Completed with that code. */
const jobDoneRecord = (task: Task, at: string): Task =>
  withHistory(
    { ...task, ExitCode: 0, FinishTime: at, Reason: '' },
    { Time: at, Type: 'Terminated', Message: `exited 0: the job is done (RestartPolicy ${JSON.stringify(task.RestartPolicy)} restarts failures only)` },
  );

/** The time `ms` after `time` (RFC 3339): date arithmetic, not a clock. */
const later = (time: string, ms: number): string => new Date(Date.parse(time) + ms).toISOString();

/** What is left of a restored restart's wait at `at`; a record without a due time restarts at once. */
export function remainingWait(task: Pick<Task, 'RestartDue'>, at: string | undefined): number {
  if (task.RestartDue === ZERO_TIME || at === undefined) return 0;
  return Math.max(0, Date.parse(task.RestartDue) - Date.parse(at));
}

/** Seconds in a human sentence: "restarting in 10.2 s". */
const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

// ---- the machine -------------------------------------------------------------

export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    events: {} as TaskMachineEvent,
    input: {} as TaskInput,
    emitted: {} as { type: 'refused'; id: string; command: string; reason: string },
  },
  actors: {
    // Supplied by src/: these defaults make an unprovided machine fail loudly.
    startContainer: fromPromise<Started, StartInput>(async () => {
      throw { message: 'no container runtime was provided to the task machine', at: '' };
    }),
    /** Stops the task's container but keeps it, so `docker logs` still works. */
    stopContainer: fromPromise<Stopped, { task: Task }>(async () => {
      throw { message: 'no container runtime was provided to the task machine', at: '' };
    }),
    /** Stops and removes every container of the task. */
    removeContainer: fromPromise<Stopped, { task: Task }>(async () => {
      throw { message: 'no container runtime was provided to the task machine', at: '' };
    }),
    healthCheck: fromCallback<TaskMachineEvent, { task: Task }>(() => undefined),
  },
  delays: {
    restartDelay: ({ context }) => context.restartDelayMs,
  },
  guards: {
    isCurrentContainer: ({ context, event }) =>
      (event.type === 'container.exited' || event.type === 'container.missing' || event.type === 'container.paused') &&
      event.containerId === context.task.ContainerID,
    /**
     * The container exited 0 by itself and the restart policy asks no restart
     * for that ("" and on-failure restart failures only): a job that is done.
     */
    jobDone: ({ context, event }) => {
      if (context.task.RestartPolicy !== '' && context.task.RestartPolicy !== 'on-failure') return false;
      // A job quick enough to end during its start is told by the start's failure, with its code.
      if ((event.type as string) === 'xstate.error.actor.start') return (event as unknown as { error: Partial<ActorFailure> }).error.exitCode === 0;
      return event.type === 'container.exited' && event.containerId === context.task.ContainerID && event.exitCode === 0 && !event.oom && !event.outside;
    },
    hasHealthCheck: ({ context }) => context.task.HealthCheck !== '',
    healthThresholdReached: ({ context }) => context.healthFailures + 1 >= context.policy.healthFailures,
    restartAllowed: ({ context }) => context.failure !== null && restartDecision(context.task, context.failure, context.policy).restart,
    restored: ({ context }, state: StateName) => context.task.StateName === state,
  },
  actions: {
    /** Sets the visible state of the record; `stopping` keeps the State it came from. */
    enter: assign(({ context }, name: StateName) => ({
      task: { ...context.task, StateName: name, State: stateNumber[name] ?? context.task.State },
    })),
    /**
     * A new placement here (a user's restart, or a changed definition): a new
     * run of the definition it carries, with a fresh restart count. Its entry
     * is the worker's word for what the manager already noted as `Restart
     * Requested` or `Updated`: the merged history shows each step once.
     */
    restartByUser: assign(({ context, event }) => {
      const { task: next, at } = event as Extract<TaskMachineEvent, { type: 'restart' }>;
      const changed = definitionChanges(context.task, next);
      const entry =
        changed.length > 0
          ? { Time: at, Type: 'Update Signaled', Message: `runs the new definition (${changed.join(', ')} changed) as placement ${next.Placement}` }
          : { Time: at, Type: 'Restart Signaled', Message: `restart requested by user, placement ${next.Placement}` };
      return {
        replace: true,
        task: withHistory({ ...withDefinition(context.task, next), Placement: next.Placement, RestartCount: 0, RestartDue: ZERO_TIME }, entry),
      };
    }),
    /** A restart by the restart policy: it continues the placement as `<placement>#<n>`. */
    countRestart: assign({
      replace: true,
      task: ({ context }) => {
        const count = context.task.RestartCount + 1;
        return { ...context.task, RestartCount: count, Placement: restartedPlacement(context.task.Placement, count), RestartDue: ZERO_TIME };
      },
    }),
    /** Stores when the waiting restart is due, so a worker that restarts meanwhile honours the wait. */
    recordRestartDue: assign({
      task: ({ context }) => ({ ...context.task, RestartDue: later(context.task.FinishTime, context.restartDelayMs) }),
    }),
    refuse: emit(({ context, event }) => ({
      type: 'refused' as const,
      id: context.task.ID,
      command: event.type,
      reason: refusalReason(context.task, event.type),
    })),
  },
}).createMachine({
  id: 'task',
  // A Completed task's last record, carried by the done event to its parent.
  output: ({ context }) => context.task,
  context: ({ input }) => ({
    task: restoredTask(input.task, input.at),
    policy: input.policy,
    replace: false,
    healthFailures: 0,
    failure: null,
    restartDelayMs: input.task.StateName === 'restarting' ? remainingWait(input.task, input.at) : 0,
  }),
  // A new task starts Pending; a task restored from disk resumes where it was.
  initial: 'boot',
  states: {
    boot: {
      always: [
        { guard: { type: 'restored', params: 'scheduled' }, target: 'scheduled' },
        { guard: { type: 'restored', params: 'running' }, target: 'running' },
        { guard: { type: 'restored', params: 'stopping' }, target: 'stopping' },
        { guard: { type: 'restored', params: 'completed' }, target: 'completed' },
        { guard: { type: 'restored', params: 'failed' }, target: '#task.failed.halted' },
        // A restart that was waiting resumes and waits what is left until its due time.
        { guard: { type: 'restored', params: 'restarting' }, target: '#task.failed.resuming' },
        { target: 'pending' },
      ],
    },

    pending: {
      entry: { type: 'enter', params: 'pending' },
      on: {
        schedule: {
          target: 'scheduled',
          actions: assign({
            replace: false,
            task: ({ context, event }) =>
              withHistory({ ...context.task, Worker: event.worker }, { Time: event.at, Type: 'Scheduled', Message: `scheduled on worker ${event.worker}` }),
          }),
        },
        unschedulable: {
          target: 'failed',
          actions: assign({
            failure: { kind: 'unschedulable', exitCode: null, outside: false },
            task: ({ context, event }) =>
              withHistory({ ...context.task, Reason: event.reason, FinishTime: event.at }, { Time: event.at, Type: 'Not Placed', Message: event.reason }),
          }),
        },
        stop: {
          target: 'completed',
          actions: assign({
            task: ({ context, event }) =>
              withHistory({ ...context.task, FinishTime: event.at }, { Time: event.at, Type: 'Cancelled', Message: 'stopped by user before it was scheduled' }),
          }),
        },
      },
    },

    scheduled: {
      entry: { type: 'enter', params: 'scheduled' },
      invoke: {
        id: 'start',
        src: 'startContainer',
        input: ({ context, self }) => ({ task: context.task, replace: context.replace, parent: self }),
        onDone: {
          target: 'running',
          actions: assign({
            healthFailures: 0,
            task: ({ context, event }) => {
              const started = event.output;
              let task: Task = {
                ...context.task,
                ContainerID: started.containerId,
                HostPorts: started.hostPorts,
                StartTime: started.startedAt,
                Reason: '',
              };
              for (const note of started.notes) task = withHistory(task, { Time: started.startedAt, Type: 'Notice', Message: note });
              return withHistory(task, {
                Time: started.startedAt,
                Type: 'Started',
                Message: `container ${started.containerId.slice(0, 12)} started`,
              });
            },
          }),
        },
        onError: [
          {
            guard: 'jobDone',
            target: 'completed',
            actions: assign({
              task: ({ context, event }) => {
                const error = event.error as Partial<ActorFailure>;
                const at = error.at || context.task.StartTime;
                return jobDoneRecord({ ...context.task, ContainerID: error.containerId ?? context.task.ContainerID, StartTime: at }, at);
              },
            }),
          },
          {
            target: 'failed',
            actions: assign(({ context, event }) => {
              const error = event.error as Partial<ActorFailure>;
              const message = error.message ?? String(event.error);
              const at = error.at || context.task.StartTime;
              // A container that ran and exited at once is an exit, which the restart policy judges as such.
              const exitCode = typeof error.exitCode === 'number' ? error.exitCode : null;
              return {
                failure: { kind: exitCode === null ? ('start' as const) : ('exited' as const), exitCode, outside: false },
                task: withHistory(
                  { ...context.task, Reason: `failed to start: ${message}`, FinishTime: at, ExitCode: exitCode ?? context.task.ExitCode },
                  { Time: at, Type: exitCode === null ? 'Driver Failure' : 'Terminated', Message: message },
                ),
              };
            }),
          },
        ],
      },
      on: {
        progress: {
          actions: assign({
            task: ({ context, event }) => withHistory(context.task, { Time: event.at, Type: 'Progress', Message: event.message }, true),
          }),
        },
        stop: 'stopping',
        // A new placement while the start is under way: start again, replacing what the first start makes.
        restart: { target: 'scheduled', reenter: true, actions: 'restartByUser' },
      },
    },

    running: {
      entry: { type: 'enter', params: 'running' },
      initial: 'watching',
      states: {
        watching: { always: { guard: 'hasHealthCheck', target: 'probing' } },
        probing: {
          invoke: { id: 'health', src: 'healthCheck', input: ({ context }) => ({ task: context.task }) },
        },
      },
      on: {
        'container.exited': [
          {
            guard: 'jobDone',
            target: 'completed',
            actions: assign({ task: ({ context, event }) => jobDoneRecord(context.task, event.at) }),
          },
          {
            guard: 'isCurrentContainer',
            target: 'failed',
            actions: assign({
              failure: ({ event }) => ({
                kind: event.oom ? ('oom' as const) : ('exited' as const),
                exitCode: event.exitCode,
                outside: event.outside,
              }),
              task: ({ context, event }) =>
                withHistory(
                  { ...context.task, ExitCode: event.exitCode, FinishTime: event.at, Reason: exitMessage(event) },
                  { Time: event.at, Type: 'Terminated', Message: exitMessage(event) },
                ),
            }),
          },
        ],
        'container.missing': {
          guard: 'isCurrentContainer',
          target: 'failed',
          actions: assign({
            failure: { kind: 'lost', exitCode: null, outside: true },
            task: ({ context, event }) => {
              const message = `container ${event.containerId.slice(0, 12)} disappeared (removed outside Cube, or Docker lost it)`;
              return withHistory({ ...context.task, FinishTime: event.at, Reason: message }, { Time: event.at, Type: 'Terminated', Message: message });
            },
          }),
        },
        'container.paused': {
          guard: 'isCurrentContainer',
          actions: assign({
            task: ({ context, event }) => {
              const message = event.paused
                ? `container ${event.containerId.slice(0, 12)} paused through Docker (docker unpause resumes it)`
                : `container ${event.containerId.slice(0, 12)} unpaused`;
              return withHistory(
                { ...context.task, Reason: event.paused ? message : '' },
                { Time: event.at, Type: event.paused ? 'Paused' : 'Unpaused', Message: message },
              );
            },
          }),
        },
        'health.passed': {
          actions: assign({
            healthFailures: 0,
            task: ({ context, event }) =>
              context.task.Events.at(-1)?.Type === 'Healthy'
                ? context.task
                : withHistory(context.task, { Time: event.at, Type: 'Healthy', Message: `health check ${context.task.HealthCheck} passed` }),
          }),
        },
        'health.failed': [
          {
            guard: 'healthThresholdReached',
            target: 'failed',
            actions: assign({
              healthFailures: ({ context }) => context.healthFailures + 1,
              failure: { kind: 'health', exitCode: null, outside: false },
              task: ({ context, event }) => {
                const message = `health check failed ${context.healthFailures + 1} times in a row: ${event.reason}`;
                return withHistory({ ...context.task, FinishTime: event.at, Reason: message }, { Time: event.at, Type: 'Unhealthy', Message: message });
              },
            }),
          },
          { actions: assign({ healthFailures: ({ context }) => context.healthFailures + 1 }) },
        ],
        stop: 'stopping',
        restart: { target: 'scheduled', actions: 'restartByUser' },
      },
    },

    failed: {
      entry: { type: 'enter', params: 'failed' },
      // A failed task holds no running container: stop one that a failed
      // health check left behind (kept, not removed, so `docker logs` works).
      invoke: { id: 'halt', src: 'stopContainer', input: ({ context }) => ({ task: context.task }) },
      initial: 'deciding',
      states: {
        deciding: {
          always: [
            {
              guard: 'restartAllowed',
              target: 'restarting',
              actions: assign(({ context }) => {
                const decision = restartDecision(context.task, context.failure!, context.policy);
                const delayMs = decision.restart ? decision.delayMs : 0;
                return {
                  restartDelayMs: delayMs,
                  task: withHistory(context.task, {
                    Time: context.task.FinishTime,
                    Type: 'Restarting',
                    Message: `restarting in ${seconds(delayMs)} (restart ${context.task.RestartCount + 1})`,
                  }),
                };
              }),
            },
            {
              target: 'halted',
              actions: assign({
                task: ({ context }) => {
                  const decision = restartDecision(context.task, context.failure!, context.policy);
                  const why = decision.restart ? '' : decision.why;
                  return withHistory(context.task, { Time: context.task.FinishTime, Type: 'Not Restarting', Message: why });
                },
              }),
            },
          ],
        },
        restarting: {
          entry: [{ type: 'enter', params: 'restarting' }, 'recordRestartDue'],
          after: { restartDelay: { target: '#task.scheduled', actions: 'countRestart' } },
        },
        /** A restart restored from disk: its due time is already recorded. */
        resuming: {
          entry: { type: 'enter', params: 'restarting' },
          after: { restartDelay: { target: '#task.scheduled', actions: 'countRestart' } },
        },
        halted: {},
      },
      on: {
        restart: { target: 'scheduled', actions: 'restartByUser' },
        stop: 'stopping',
      },
    },

    stopping: {
      entry: { type: 'enter', params: 'stopping' },
      invoke: {
        id: 'remove',
        src: 'removeContainer',
        input: ({ context }) => ({ task: context.task }),
        onDone: {
          target: 'completed',
          actions: assign({
            task: ({ context, event }) =>
              withHistory(
                { ...context.task, FinishTime: event.output.at },
                { Time: event.output.at, Type: 'Killed', Message: 'stopped by user; container removed' },
              ),
          }),
        },
        onError: {
          // Stopping is what the user asked for; a container Docker could not
          // remove now is removed by the worker's reconcile once Docker answers.
          target: 'completed',
          actions: assign({
            task: ({ context, event }) => {
              const error = event.error as Partial<ActorFailure>;
              const at = error.at || context.task.FinishTime;
              const message = `stopped by user; removing the container failed (${error.message ?? String(event.error)}), the worker retries when Docker answers`;
              return withHistory({ ...context.task, FinishTime: at }, { Time: at, Type: 'Killed', Message: message });
            },
          }),
        },
      },
      on: { stop: {} },
    },

    completed: { type: 'final', entry: { type: 'enter', params: 'completed' } },
  },
  on: {
    // Facts that arrive late (a container that already ended, a probe that
    // finished after the state changed) are not commands: they are dropped.
    'container.exited': {},
    'container.missing': {},
    'container.paused': {},
    'health.passed': {},
    'health.failed': {},
    progress: {},
    // Any command the current state does not take is refused with a reason.
    '*': { actions: 'refuse' },
  },
});

export type TaskMachine = typeof taskMachine;
export type TaskSnapshot = SnapshotFrom<TaskMachine>;
