// What a worker keeps (docs/spec.md §3): the records of its tasks, the
// finished ones, its tombstones, the commands waiting for their write, and
// what it reports about itself. The context is mutated in place by the
// functions of machines/worker/*: with 10k tasks, copying a map per event
// would make every event O(n). Every side effect goes through `Effects`,
// which the machine (machines/worker.ts) turns into XState actions.
import type { FromWorker, ToWorker, WorkerStats } from '../../src/vocabulary/protocol.js';
import { placementIncarnation } from '../../src/vocabulary/placement.js';
import { KEEP_ALL, type Retention } from '../../src/vocabulary/retention.js';
import { TaskState, type Task } from '../../src/vocabulary/task.js';
import { keptPlacements, type Tombstone } from '../../src/vocabulary/tombstone.js';
import { firstVersion } from '../../src/vocabulary/version.js';
import type { Archive } from '../archive.js';
import { DoneTasks } from '../done-tasks.js';
import { nameTask } from '../names.js';
import { doneOf, finishOrder } from '../retention.js';
import { newShardPool, type ShardPool } from '../shard-pool.js';
import type { TaskMachineEvent, TaskPolicy } from '../task.js';
import { Tombstones } from '../tombstones.js';

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

export type Run = Extract<ToWorker, { type: 'task.run' }>;
export type Stop = Extract<ToWorker, { type: 'task.stop' }>;
export type Listing = Extract<FromWorker, { type: 'worker.tasks' }>;

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
export type Intent = { kind: 'run'; run: Run; task: Task } | { kind: 'stop'; stop: Stop; placement: string; forward: boolean };

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

/** The side effects of an event, named so that src/ (and a test) can supply or swap each (machines/worker.ts). */
export interface Effects {
  /** Publishes a message: to listeners in this process, and to the manager that embeds this worker. */
  report(message: FromWorker): void;
  /** Writes a command's intent (a new task's record, or a stopped placement), answered by `intent.persisted`. */
  persist(intent: { id: string; task?: Task; tombstone?: Tombstone }): void;
  /** Writes a changed record. */
  save(task: Task): void;
  /** Removes pruned records and their tombstones from the store. */
  forget(ids: string[]): void;
  /** Remembers a stopped placement, so its run is refused if it arrives after all. */
  leaveTombstone(tombstone: Tombstone): void;
  /** Gives a task an actor; `first` is delivered to it in the same turn. */
  spawnTask(task: Task, first: TaskMachineEvent): void;
  /** Delivers an event to a task's actor; a task with none ignores it. */
  toTask(id: string, event: TaskMachineEvent): void;
  /** Stops a task's actor without a word (it was pruned). */
  dropTask(shard: string, id: string): void;
  /** Stops a shard whose life is over and whose last task actor is gone. */
  stopShard(shard: string): void;
  /** Stops and removes containers nobody wants. */
  removeContainers(containerIds: string[]): void;
  /** Handles a run again, as if it came now: a deferred run whose wait is over. */
  runAgain(run: Run): void;
}

/** What a decision needs of a record: a Completed task's is in the store, its DoneTask says enough. */
export type Known = Pick<Task, 'ID' | 'Placement' | 'StateName'>;

export const known = (context: WorkerContext, id: string): Known | undefined => {
  const done = context.done.get(id);
  return context.tasks.get(id) ?? (done && { ID: id, Placement: done.Placement, StateName: 'completed' });
};

export const isActive = (task: Task | undefined) => task !== undefined && task.State !== TaskState.Completed;

/** A task placed by a manager (`<incarnation>.<seq>`), not POSTed to this worker by a client. */
export const managerPlaced = (task: Pick<Task, 'Placement'>): boolean => placementIncarnation(task.Placement) !== '';

/** A refusal of a command, for whoever sent it. */
export const refusal = (
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

/** The context a worker starts with: its restored records, versions of this start, tombstones in the order they were left. */
export function newContext(input: WorkerInput): WorkerContext {
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
}
