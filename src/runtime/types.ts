// What a worker needs from a container engine. The Docker adapter is the real
// one; MemoryRuntime stands in for control-plane tests and benchmarks.
import type { LogLine } from '../logs/log-line.js';
import type { Started, Stopped } from '../vocabulary/runtime.js';
import type { Task } from '../vocabulary/task.js';
import type { Mount } from '../vocabulary/mounts.js';

/** A container that belongs to one of this worker's tasks, as the engine reports it. */
export interface ContainerInfo {
  taskId: string;
  /** The placement it was created for (its label), "" for containers made before placements had one. */
  placement: string;
  containerId: string;
  name: string;
  running: boolean;
  /** Paused through Docker: alive, but not running. */
  paused: boolean;
}

/** What the engine says happened to a task's container. */
export type ContainerEvent =
  | { type: 'exited'; taskId: string; containerId: string; exitCode: number; oom: boolean; outside: boolean; at: string }
  | { type: 'removed'; taskId: string; containerId: string; at: string }
  | { type: 'paused'; taskId: string; containerId: string; paused: boolean; at: string };

/** A failure of a runtime call, with what to do about it; the task machine records `message`. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
  constructor(
    message: string,
    /** When the failure was observed (RFC 3339), for the task's history. */
    readonly at: string = new Date().toISOString(),
    /** Set when a container ran and exited during its start. */
    readonly exitCode?: number,
    /** That container. */
    readonly containerId?: string,
  ) {
    super(message);
  }
}

export interface StartOptions {
  /** Remove any container the task still has instead of adopting it (a restart). */
  replace: boolean;
  /** Called with human progress lines while a start is slow (image pulls). */
  onProgress(message: string): void;
}

export interface WatchHandlers {
  onEvent(event: ContainerEvent): void;
  /** The event stream (re)connected: events may have been missed, so compare states now. */
  onConnected(): void;
  onDisconnected(reason: string): void;
}

export interface LogOptions {
  /** Keep reading as the container writes, until it stops or `signal` aborts. */
  follow: boolean;
  /** Only the last N lines (before following). */
  tail?: number;
  /** Only lines written after this time, in Unix seconds. */
  since?: number;
  /** Ends the reading (a client that went away). */
  signal: AbortSignal;
}

/** A named volume Cube made for this worker's tasks (docs/api.md, GET /volumes). */
export interface VolumeInfo {
  Name: string;
  /** When the engine made it (RFC 3339), "" when it does not say. */
  Created: string;
  /** Where its data lives on the worker's host. */
  Mountpoint: string;
}

/** Why a volume was not removed: not this worker's (404), or a container still uses it (409). */
export interface VolumeRefusal {
  status: 404 | 409;
  reason: string;
}

/** The named volumes of an engine that keeps them (Docker); a runtime without them has none to list. */
export interface VolumeStore {
  /** The volumes this worker made (they carry its label and its cluster's). */
  volumes(): Promise<VolumeInfo[]>;
  /** Removes one of them; a refusal says why not. */
  removeVolume(name: string): Promise<VolumeRefusal | undefined>;
  /** Why these mounts may not run here (a bind outside --volume-root), or undefined. */
  mountRefusal(mounts: readonly Mount[]): string | undefined;
}

/** The runtime's volumes, when it keeps any. */
export const volumeStoreOf = (runtime: ContainerRuntime | undefined): VolumeStore | undefined =>
  runtime !== undefined && 'removeVolume' in runtime ? (runtime as ContainerRuntime & VolumeStore) : undefined;

export interface ContainerRuntime {
  /** Where the engine is, for logs and errors ("Docker 20.10.24 at /var/run/docker.sock"). */
  describe(): Promise<string>;
  /** Ensures the image, then creates (or adopts) and starts the task's container. Idempotent. */
  start(task: Task, options: StartOptions): Promise<Started>;
  /** Stops the task's container and keeps it (for `docker logs`). Idempotent. */
  stop(task: Task): Promise<Stopped>;
  /** Stops and removes every container of the task. Idempotent. */
  remove(task: Task): Promise<Stopped>;
  /** Stops and removes one container by id. Idempotent. */
  removeContainer(containerId: string): Promise<void>;
  /** Every container of this worker's tasks. */
  list(): Promise<ContainerInfo[]>;
  /** The exit code of a container, or null when the engine no longer has it. */
  exitCode(containerId: string): Promise<number | null>;
  /** Resolves when every call under way has finished: a worker that stops waits for it. */
  settle(): Promise<void>;
  /** Follows the engine's events until the returned function is called; reconnects by itself. */
  watch(handlers: WatchHandlers): () => void;
  /**
   * What a container wrote, oldest first, read as it is consumed (a slow reader
   * slows the reading). Resolves once the engine has answered; a container it
   * no longer has is a RuntimeError saying so.
   */
  logs(containerId: string, options: LogOptions): Promise<AsyncIterable<LogLine>>;
}
