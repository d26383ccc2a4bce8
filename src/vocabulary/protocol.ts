// The one message protocol between the manager and its workers (ARCHITECTURE
// §2). A worker in the same process receives these as actor events; a remote
// worker receives them as HTTP calls made by a proxy actor, and its updates
// come back over its event stream as the same messages. Types only.
import type { Task } from './task.js';

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
  /** Set by the manager's proxy of a worker elsewhere: the protocol that worker speaks (docs/api.md). */
  Protocol?: WorkerProtocol;
}

/** Cube's own (an event stream) or the book's (polls of /tasks and /stats). */
export type WorkerProtocol = 'cube' | 'book';

/** Manager → worker. */
export type ToWorker =
  /**
   * Run a task. By default as POST /tasks does (docs/spec.md §1: a Running or Failed
   * task restarts); with `ensure`, only when the worker does not have it yet,
   * so a resend after a lost answer never restarts anything.
   */
  | { type: 'task.run'; task: Task; at: string; ensure?: boolean; requestId?: string }
  | { type: 'task.stop'; id: string; at: string; requestId?: string }
  /** Report every task now (answered with `worker.tasks`): the periodic safety net. */
  | { type: 'worker.sync'; at: string };

/** Worker → manager. */
export type FromWorker =
  | { type: 'task.updated'; worker: string; task: Task }
  | { type: 'worker.stats'; worker: string; stats: WorkerStats; at: string }
  /** Every task the worker has: sent on (re)connect, so the manager can compare. */
  | { type: 'worker.tasks'; worker: string; tasks: Task[]; at: string }
  /** From a remote worker's proxy: the worker could not be reached. */
  | { type: 'worker.unreachable'; worker: string; reason: string; at: string }
  /** From a remote worker's proxy: a run or stop could not be delivered. */
  | { type: 'task.undelivered'; worker: string; id: string; command: ToWorker['type']; reason: string; at: string }
  /** The worker refused a command, with the reason for the caller. */
  | { type: 'task.refused'; worker: string; id: string; command: string; reason: string; requestId?: string };
