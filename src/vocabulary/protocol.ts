// The one message protocol between the manager and its workers (ARCHITECTURE
// §2). A worker in the same process receives these as actor events; a remote
// worker receives them as HTTP calls made by a proxy actor, and its updates
// come back over its event stream as the same messages. Types only.
import type { DoneTask } from './retention.js';
import type { StateName, Task } from './task.js';

/** A machine's resources and load, as GET /stats returns it (docs/spec.md §3). */
export interface WorkerStats {
  Worker: string;
  MemoryTotal: number;
  MemoryAvailable: number;
  DiskTotal: number;
  DiskFree: number;
  /** Share of all CPUs busy since the previous sample, 0…1. */
  CpuUsage: number;
  CpuCount: number;
  LoadAverage: [number, number, number];
  TaskCount: number;
  /** "up" while the container engine answers. */
  Runtime: 'up' | 'down';
  /** Why the engine is down, with how to fix it; "" when up. */
  RuntimeProblem: string;
  /** Host paths the worker lets tasks bind, with what is below them (--volume-root); absent or empty: none. */
  VolumeRoots?: string[];
  /** The labels the worker declares (cube worker --label zone=a); the manager lays the operator's edits over them. */
  Labels?: Record<string, string>;
  /** Set by the manager's proxy of a worker elsewhere: the protocol that worker speaks (docs/api.md). */
  Protocol?: WorkerProtocol;
}

/** Cube's own (an event stream) or the book's (polls of /tasks and /stats). */
export type WorkerProtocol = 'cube' | 'book';

/** Manager → worker. Every command about a task names the placement it is about. */
export type ToWorker =
  /**
   * Run a task as placement `task.Placement`. Idempotent: a worker that has
   * that placement leaves it as it is. A worker that has another placement of
   * the task replaces it (a restart or a changed definition); one that was told
   * to stop that placement before the run arrived refuses it.
   */
  | { type: 'task.run'; task: Task; at: string; requestId?: string }
  /** Stop placement `placement` of a task ("" for whatever placement the worker has: a user on the worker API). */
  | { type: 'task.stop'; id: string; placement: string; at: string; requestId?: string }
  /**
   * Report what changed after version `since` of the worker (answered with a
   * `worker.tasks` listing): the periodic safety net. Without `since`, or when
   * the worker's versions never reached it (it lost its state), every task.
   */
  | { type: 'worker.sync'; at: string; since?: number }
  /** Sweep finished tasks now (docs/architecture.md §7, "Retention"), and forget these placements of finished tasks, which the manager pruned. */
  | { type: 'worker.gc'; at: string; forget: { id: string; placement: string }[] };

/** A task a worker has, named in a listing without its record: enough to tell what the worker runs. */
export interface HeldTask {
  ID: string;
  Placement: string;
  StateName: StateName;
}

/** Worker → manager. */
export type FromWorker =
  /**
   * A record changed; `task.Version` is the worker's version of it. `at`: when
   * it happened, on the manager's clock (a proxy of a worker elsewhere sets it
   * when it reads the message; a worker in the manager's process gives the time
   * of its newest fact): what the manager dates the change with, rather than its
   * last tick, up to a second older.
   */
  | { type: 'task.updated'; worker: string; task: Task; at?: string }
  | { type: 'worker.stats'; worker: string; stats: WorkerStats; at: string }
  /**
   * What the worker has, so the manager can compare: sent on (re)connect and
   * answering `worker.sync`. A full listing has every record in `tasks` (a
   * Cube worker sends its Completed ones as `done`); a listing of changes
   * (`held` present) has in `tasks` and `done` only what changed after the
   * version asked, and in `held` every task the worker has that is not
   * Completed. `version` is the worker's newest version.
   */
  | { type: 'worker.tasks'; worker: string; tasks: Task[]; at: string; done?: DoneTask[]; held?: HeldTask[]; version?: number }
  /** From a remote worker's proxy: the worker could not be reached, or answered something Cube cannot read. */
  | { type: 'worker.unreachable'; worker: string; reason: string; at: string }
  /** From a remote worker's proxy: a run or stop could not be delivered. */
  | { type: 'task.undelivered'; worker: string; id: string; placement: string; command: 'task.run' | 'task.stop'; reason: string; at: string }
  /** The worker refused a command, with the reason for the caller and the HTTP status that says it (404, 409, 503). */
  | { type: 'task.refused'; worker: string; id: string; placement: string; command: 'run' | 'stop'; reason: string; status?: number; requestId?: string };
