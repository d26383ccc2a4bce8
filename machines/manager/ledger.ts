// The manager's ledger: its task records, the queue of tasks waiting for a
// worker, the stops not yet confirmed, the worker registry (the task→worker
// map is each record's Worker) and the event log.
//
// The ledger is mutated in place by the functions of machines/manager/*: with
// 10k tasks, copying a map per event would make every event O(n). Every change
// of a record goes through `setRecord`, which keeps each worker's held
// resources right and reports the change; every side effect goes through
// `Effects`, which the machine turns into XState actions.
import type { LogEntry } from '../../src/vocabulary/log-entry.js';
import type { ToWorker, WorkerStats } from '../../src/vocabulary/protocol.js';
import type { Held, Scheduler } from '../../src/vocabulary/scheduler.js';
import { TaskState, ZERO_TIME, type StateName, type Task, type TaskHistoryEntry } from '../../src/vocabulary/task.js';
import { nameTask } from '../names.js';
import { decision, placementBase } from '../../src/vocabulary/placement.js';
import { sameRecord } from '../definition.js';
import { DoneTasks } from '../done-tasks.js';
import { doneOf, finishOrder, isFinished } from '../retention.js';
import { firstVersion } from '../../src/vocabulary/version.js';
import { withHistory } from '../task.js';
import type { ServiceEvent } from '../service.js';
import type { Service } from '../../src/vocabulary/service.js';
import type { LabelEdits } from '../../src/vocabulary/labels.js';

export type WorkerState = 'unknown' | 'up' | 'suspect' | 'down';

export interface WorkerEntry {
  name: string;
  /** host:port of a remote worker; "in-process" for one in the manager's process. */
  address: string;
  /** unknown until its first heartbeat; suspect when a call failed; down past the TTL. */
  state: WorkerState;
  /** When `state` last changed (RFC 3339). */
  since: string;
  /** Its last heartbeat (RFC 3339), "" before the first. */
  lastSeen: string;
  stats: WorkerStats | null;
  /** What the manager's records place on it. */
  held: Held;
  /** Why it is suspect or down, in words. */
  problem: string;
  /** Drained (`cube node drain`): it takes no new tasks, and its tasks were moved. */
  draining: boolean;
  /** It joined at runtime (`cube worker --join`), rather than being named by --workers or running in this process. */
  joined: boolean;
  /** The operator's changes to the labels the worker declares (`cube node label`): a value sets one, null removes it. */
  labelEdits: LabelEdits;
}

/** How placement is decided: supplied by src/scheduler, pure functions. */
export interface PlacementPolicy {
  scheduler: Scheduler;
  hold(held: Held, task: Task, sign: 1 | -1): Held;
  empty(): Held;
}

/** A user's command whose intent is being written; carried out once it is (docs/architecture.md §7, "Durable intents"). */
export interface Intent {
  kind: 'submit' | 'restart' | 'update' | 'stop';
  /** The record before the command, to put back if the write fails; undefined for a new task. */
  previous: Task | undefined;
  at: string;
  requestId: string | undefined;
}

/** The worker's version of a task last applied, and of which placement: an older report is never applied. */
export interface Reported {
  placement: string;
  version: number;
}

/** What the ledger keeps besides records, kept in the store too: it must outlive the records it is about. */
export interface LedgerMeta {
  /** Finished tasks pruned so far. */
  pruned: number;
  /** This manager's starts (the first part of every placement ID it made), newest last: a report of one of their placements about a task the manager no longer has is of a pruned task. */
  incarnations: string[];
  /** Per worker, the newest version of it the manager has applied: a restarted manager resumes from there. */
  heard: Record<string, number>;
  /** Named volume → the worker that holds it (absent in metas written before volumes). */
  volumes?: Record<string, string>;
}

export interface Ledger {
  /** Every task not Completed. */
  tasks: Map<string, Task>;
  /** Completed tasks: their records are final and live in the store; the ledger keeps what decisions need. */
  done: DoneTasks;
  /** Finished tasks (Completed, or Failed for good) → when they finished (ms), in that order: what retention sweeps. */
  finished: Map<string, number>;
  /** Per worker, the tasks that hold resources there (Scheduled, Running, stopping, restarting): what a listing is compared with. */
  placed: Map<string, Set<string>>;
  /** Ids of Pending tasks, oldest first. */
  queue: Set<string>;
  /**
   * Tasks a user stopped whose worker has not confirmed it yet: not yet
   * Completed, or Completed without the worker's word (it was lost with the
   * task), when the stop is still owed to it and sent when it is heard again.
   */
  stopRequested: Set<string>;
  /** Name → ID of every task not Completed: a name is one container's, until the task ends. */
  names: Map<string, string>;
  workers: Map<string, WorkerEntry>;
  /** The scheduler's own memory (round robin's last pick). */
  memo: unknown;
  log: LogEntry[];
  startedAt: string;
  /** The latest time the clock told (RFC 3339), for what happens between ticks. */
  now: string;
  /** The version of the latest change of any record; each record carries the version of its last change. */
  seq: number;
  /** This manager start's part of the placement IDs it makes. */
  incarnation: string;
  /** Per task: the worker's version of its current placement last applied. */
  reported: Map<string, Reported>;
  /** Per task: the user's command waiting for its intent to be written. */
  intents: Map<string, Intent>;
  /** Finished tasks pruned so far (kept across restarts). */
  pruned: number;
  /** When the next sweep is due (ms); ticks drive it. */
  nextSweep: number;
  /** The first parts of the placement IDs this manager made, this start's last. */
  incarnations: Set<string>;
  /** Per worker, its newest version the manager has applied: a sync asks for the changes after it. */
  heard: Map<string, number>;
  /** The services, by name: each is a child actor `service:<name>` (machines/manager/services.ts). */
  services: Set<string>;
  /**
   * Named volume → the worker that holds it: set when a task that mounts it is
   * placed, forgotten when it is removed or its worker is; a task that mounts it
   * goes back there (src/scheduler/filters/volumes.ts).
   */
  volumes: Map<string, string>;
  /** A task stopped holding resources on a worker since the queue was last tried: waiting tasks may fit now. */
  roomFreed: boolean;
}

export interface Effects {
  send(worker: string, message: ToWorker): void;
  /** A record changed: save it and report it. */
  changed(task: Task): void;
  /** Write a user's command's intent (the record it makes, and whether a stop is asked), answered by `intent.persisted`. */
  persist(task: Task, stopRequested: boolean): void;
  /** A worker took (or refused) a new placement of a task: for whoever waits on a user's restart. */
  placementAnswered(id: string, placement: string, refusal: string | undefined): void;
  /** A user's command is refused after all (its intent could not be written), with the status that says so. */
  refused(id: string, reason: string, status: number, requestId: string | undefined): void;
  workerChanged(worker: WorkerEntry): void;
  /** A worker was forgotten (cube node rm): whoever shows the workers drops it. */
  workerRemoved(name: string): void;
  note(entry: LogEntry): void;
  /** Finished tasks were pruned: remove their records from the store. */
  pruned(ids: string[]): void;
  /** Tells a service's machine (`service:<name>`) something about its copies or the time. */
  toService(name: string, event: ServiceEvent): void;
}

export const LOG_LIMIT = 1000;

/** Whether a task, on its worker, holds resources there. */
const holding: ReadonlySet<StateName> = new Set(['scheduled', 'running', 'stopping', 'restarting']);
export const holds = (task: Task | undefined): task is Task => task !== undefined && task.Worker !== '' && holding.has(task.StateName);

/**
 * The one way a record changes: it gets the next version, held resources
 * follow, and the change is saved and reported. A record equal to the one in
 * the ledger is not a change: it keeps its version and is neither saved nor
 * reported again (a record passed as it is in the ledger is a command's, whose
 * intent was written: that one is).
 */
export function setRecord(ledger: Ledger, policy: PlacementPolicy, next: Task, fx: Effects): Task {
  const previous = ledger.tasks.get(next.ID);
  if (previous !== undefined && previous !== next && sameRecord(previous, next)) return previous;
  const stamped: Task = { ...next, Version: ++ledger.seq };
  place(ledger, policy, previous, stamped);
  if (placementBase(stamped.Placement) !== ledger.reported.get(stamped.ID)?.placement) ledger.reported.delete(stamped.ID);
  fx.changed(stamped);
  return stamped;
}

/**
 * Puts a record in the ledger, keeping held resources, names and the finished
 * tasks in step (no version, no report: intents and restores). A Completed
 * record leaves the ledger's memory: it is saved, and only its DoneTask stays.
 */
export function place(ledger: Ledger, policy: PlacementPolicy, previous: Task | undefined, next: Task): void {
  if (holds(previous)) move(ledger, policy, previous, -1);
  if (holds(next)) move(ledger, policy, next, 1);
  nameTask(ledger.names, previous, next);
  if (!isFinished(next)) ledger.finished.delete(next.ID);
  else if (!ledger.finished.has(next.ID)) ledger.finished.set(next.ID, Date.parse(ledger.now));
  // A stop still owed to the worker (it was lost with the task) keeps the record in memory until the worker answers.
  if (next.State === TaskState.Completed && !ledger.stopRequested.has(next.ID)) {
    ledger.tasks.delete(next.ID);
    ledger.done.set(next.ID, doneOf(next));
    ledger.reported.delete(next.ID); // nothing a worker says changes a Completed record
  } else {
    ledger.tasks.set(next.ID, next);
  }
}

/**
 * The records of the tasks on a worker that the manager may have to act on:
 * those that hold resources there, and those with a stop asked (a Failed
 * one, or one Completed without the worker's word). Read from indexes, so the
 * cost follows the worker's work, not the history.
 */
export function tasksOn(ledger: Ledger, worker: string): Task[] {
  const ids = new Set(ledger.placed.get(worker));
  for (const id of ledger.stopRequested) ids.add(id);
  const tasks: Task[] = [];
  for (const id of ids) {
    const task = ledger.tasks.get(id);
    if (task?.Worker === worker) tasks.push(task);
  }
  return tasks;
}

/** Takes a record out of the ledger: a new task whose intent could not be written was never there, and a pruned one is no more. */
export function forget(ledger: Ledger, policy: PlacementPolicy, task: Task): void {
  if (holds(task)) move(ledger, policy, task, -1);
  if (ledger.names.get(task.Name) === task.ID) ledger.names.delete(task.Name);
  ledger.tasks.delete(task.ID);
  ledger.finished.delete(task.ID);
}

function move(ledger: Ledger, policy: PlacementPolicy, task: Task, sign: 1 | -1): void {
  const worker = ledger.workers.get(task.Worker);
  if (worker) worker.held = policy.hold(worker.held, task, sign);
  if (sign < 0) ledger.roomFreed = true;
  let placed = ledger.placed.get(task.Worker);
  if (!placed) ledger.placed.set(task.Worker, (placed = new Set()));
  if (sign > 0) placed.add(task.ID);
  else placed.delete(task.ID);
}

export const note = (task: Task, at: string, Type: string, Message: string): Task => withHistory(task, { Time: at, Type, Message } satisfies TaskHistoryEntry);

/** Back to the queue, to be placed again (on another worker if this one is not up). */
export function requeue(ledger: Ledger, policy: PlacementPolicy, task: Task, at: string, why: string, fx: Effects): void {
  const pending = note(
    { ...task, State: TaskState.Pending, StateName: 'pending', Worker: '', ContainerID: '', HostPorts: null, Reason: why, RestartDue: ZERO_TIME },
    at,
    'Rescheduling',
    why,
  );
  setRecord(ledger, policy, pending, fx);
  ledger.queue.add(task.ID);
}

/**
 * Evicts a task from its worker by the manager's own decision (a drain, an
 * update that asks for other resources): the copy there is stopped, and the
 * task waits to be placed again. The stopped placement is closed (the record
 * keeps none), so what that copy reports is stale: with no other worker to
 * take the task, it waits Pending rather than taking its old copy's stop for
 * its end.
 */
export function evict(
  ledger: Ledger,
  policy: PlacementPolicy,
  task: Task,
  copy: { worker: string; placement: string },
  at: string,
  why: string,
  fx: Effects,
): void {
  fx.send(copy.worker, { type: 'task.stop', id: task.ID, placement: copy.placement, at });
  requeue(ledger, policy, { ...task, Placement: '' }, at, why, fx);
}

/**
 * Completed by the manager: cancelled before placement, confirmed by a worker
 * that does not have the placement, or, `confirmed` false, gone with its
 * worker, when the stop stays owed to that worker.
 */
export function complete(ledger: Ledger, policy: PlacementPolicy, task: Task, at: string, type: string, why: string, fx: Effects, confirmed = true): void {
  ledger.queue.delete(task.ID);
  if (confirmed) ledger.stopRequested.delete(task.ID);
  setRecord(ledger, policy, note({ ...task, State: TaskState.Completed, StateName: 'completed', FinishTime: at, Reason: '' }, at, type, why), fx);
}

export function setWorkerState(worker: WorkerEntry, state: WorkerState, at: string, problem: string, fx: Effects): void {
  if (worker.state === state && worker.problem === problem) return;
  worker.state = state;
  worker.since = at;
  worker.problem = problem;
  fx.workerChanged(worker);
}

/** What a manager restores at start (src/store/manager-store.ts reads it). */
export interface Restore {
  /** Records not Completed, in the order they were first written. */
  tasks: Task[];
  /** Completed tasks; the ledger takes them over. */
  done?: DoneTasks;
  stopRequested: string[];
  log: LogEntry[];
  meta?: LedgerMeta;
  /** A version every new one must pass (a store shared by several managers gives it; docs/ha.md). */
  versionFloor?: number;
  /** The services (docs/spec.md §9): each is spawned again from its record. */
  services?: Service[];
}

export const emptyMeta = (): LedgerMeta => ({ pruned: 0, incarnations: [], heard: {} });

/** A manager's starts kept to tell its placements: enough for years of restarts. */
const INCARNATIONS_KEPT = 1000;

/** A worker entry as the ledger starts it: unknown until its first heartbeat. */
export function newWorkerEntry(
  spec: { name: string; address: string; draining?: boolean; joined?: boolean; labelEdits?: LabelEdits },
  since: string,
  policy: PlacementPolicy,
): WorkerEntry {
  return {
    name: spec.name,
    address: spec.address,
    state: 'unknown',
    since,
    lastSeen: '',
    stats: null,
    held: policy.empty(),
    problem: '',
    draining: spec.draining ?? false,
    joined: spec.joined ?? false,
    labelEdits: spec.labelEdits ?? {},
  };
}

export function newLedger(
  workers: { name: string; address: string; draining?: boolean; joined?: boolean; labelEdits?: LabelEdits }[],
  policy: PlacementPolicy,
  startedAt: string,
  incarnation: string,
  restore: Restore = { tasks: [], stopRequested: [], log: [] },
): Ledger {
  const meta = restore.meta ?? emptyMeta();
  const done = restore.done ?? new DoneTasks();
  const ledger: Ledger = {
    tasks: new Map(),
    done,
    finished: new Map(),
    placed: new Map(),
    queue: new Set(),
    stopRequested: new Set(restore.stopRequested),
    names: new Map(),
    workers: new Map(workers.map((w) => [w.name, newWorkerEntry(w, startedAt, policy)])),
    memo: undefined,
    log: restore.log.slice(-LOG_LIMIT),
    startedAt,
    now: startedAt,
    seq: 0,
    incarnation,
    reported: new Map(),
    intents: new Map(),
    pruned: meta.pruned,
    nextSweep: 0,
    incarnations: new Set([...meta.incarnations, incarnation].slice(-INCARNATIONS_KEPT)),
    heard: new Map(workers.map((w) => [w.name, meta.heard[w.name] ?? 0])),
    services: new Set((restore.services ?? []).map((s) => s.Name)),
    volumes: new Map(Object.entries(meta.volumes ?? {})),
    roomFreed: false,
  };
  // Restored records get versions of this start: what was seen before it, and not written, was lower.
  // A restart's placement is numbered before its record's version, so both count; and a store shared by
  // several managers (etcd) gives a floor, so a new leader's placements come after the old one's whatever the clocks say.
  // A Completed record's version is newer than its placement's number: it was given after the decision.
  let stored = Math.max(0, restore.versionFloor ?? 0, done.newestVersion);
  for (const task of restore.tasks) stored = Math.max(stored, task.Version, decision(task.Placement) ?? 0);
  ledger.seq = firstVersion(stored, startedAt);
  for (const restored of restore.tasks) {
    const task = { ...restored, Version: ++ledger.seq };
    place(ledger, policy, undefined, task);
    if (task.State === TaskState.Pending) ledger.queue.add(task.ID);
  }
  // A Completed record is final: it keeps its version, and stays in the store.
  // Retention sweeps the finished tasks in the order they finished.
  ledger.finished = finishOrder(restore.tasks, done, Date.parse(startedAt));
  return ledger;
}

/** The ledger's meta as the store keeps it. */
export const ledgerMeta = (ledger: Ledger): LedgerMeta => ({
  pruned: ledger.pruned,
  incarnations: [...ledger.incarnations],
  heard: Object.fromEntries(ledger.heard),
  volumes: Object.fromEntries(ledger.volumes),
});
