// MemoryRuntime: an in-memory stand-in for a container engine. It runs
// nothing. It exists for control-plane benchmarks (to measure Cube's own
// actors without Docker's cost) and for actor tests that need a runtime they
// can make fail on purpose. Never used by `cube worker`.
import type { Started, Stopped } from '../vocabulary/runtime.js';
import type { Task } from '../vocabulary/task.js';
import type { LogLine } from '../logs/log-line.js';
import { samePlacement } from '../vocabulary/placement.js';
import { RuntimeError, type ContainerInfo, type ContainerRuntime, type LogOptions, type StartOptions, type WatchHandlers } from './types.js';

interface MemoryContainer extends ContainerInfo {
  exitCode: number | null;
}

const now = () => new Date().toISOString();

export class MemoryRuntime implements ContainerRuntime {
  readonly containers = new Map<string, MemoryContainer>();
  /** Containers by task, so a start costs the same with 10 or 10,000 tasks. */
  private readonly byTask = new Map<string, Set<string>>();
  /** Test hook: a reason makes the next starts of matching tasks fail. */
  failStart: (task: Task) => string | undefined = () => undefined;
  private watchers = new Set<WatchHandlers>();
  private next = 0;

  async describe(): Promise<string> {
    return 'an in-memory stand-in runtime (runs nothing)';
  }

  async start(task: Task, options: StartOptions): Promise<Started> {
    const failure = this.failStart(task);
    if (failure) throw new RuntimeError(failure);
    const existing = this.of(task.ID);
    const running = existing.find((c) => c.running && samePlacement(c.placement, task.Placement));
    if (running && !options.replace) {
      return { containerId: running.containerId, hostPorts: null, startedAt: now(), notes: ['adopted its running container'] };
    }
    for (const old of existing) this.forget(old.containerId);
    const containerId = this.newContainerId();
    this.containers.set(containerId, {
      taskId: task.ID,
      placement: task.Placement,
      containerId,
      name: task.Name,
      running: true,
      paused: false,
      exitCode: null,
    });
    const ids = this.byTask.get(task.ID) ?? new Set();
    this.byTask.set(task.ID, ids.add(containerId));
    return { containerId, hostPorts: null, startedAt: now(), notes: [] };
  }

  /** A new container's ID. */
  protected newContainerId(): string {
    return `mem${(this.next++).toString(16).padStart(13, '0')}`;
  }

  async stop(task: Task): Promise<Stopped> {
    const container = this.containers.get(task.ContainerID);
    if (container) container.running = false;
    return { at: now() };
  }

  async remove(task: Task): Promise<Stopped> {
    for (const container of this.of(task.ID)) this.forget(container.containerId);
    return { at: now() };
  }

  async removeContainer(containerId: string): Promise<void> {
    this.forget(containerId);
  }

  async list(): Promise<ContainerInfo[]> {
    return [...this.containers.values()].map(({ exitCode: _, ...info }) => info);
  }

  async exitCode(containerId: string): Promise<number | null> {
    return this.containers.get(containerId)?.exitCode ?? null;
  }

  async settle(): Promise<void> {}

  watch(handlers: WatchHandlers): () => void {
    this.watchers.add(handlers);
    queueMicrotask(() => handlers.onConnected());
    return () => this.watchers.delete(handlers);
  }

  /** Test hook: what each container "wrote", by container id. */
  readonly output = new Map<string, LogLine[]>();

  /** What the container wrote before the call: the stand-in's containers write nothing while followed. */
  async logs(containerId: string, options: LogOptions): Promise<AsyncIterable<LogLine>> {
    if (!this.containers.has(containerId)) throw new RuntimeError(`container ${containerId.slice(0, 12)} is gone from the engine, and its output with it`);
    const since = options.since;
    const lines = (this.output.get(containerId) ?? []).filter((l) => since === undefined || Date.parse(l.Time) / 1000 > since);
    const shown = lines.slice(options.tail === undefined ? 0 : Math.max(0, lines.length - options.tail));
    return (async function* () {
      yield* shown;
    })();
  }

  /** Test hook: the container of a task dies as if its process exited. */
  exit(taskId: string, exitCode: number, outside = false): void {
    for (const container of this.of(taskId).filter((c) => c.running)) {
      container.running = false;
      container.exitCode = exitCode;
      const event = { type: 'exited' as const, taskId, containerId: container.containerId, exitCode, oom: false, outside, at: now() };
      for (const watcher of this.watchers) watcher.onEvent(event);
    }
  }

  /** Test hook: the running container of a task is paused (or unpaused) through the engine. */
  pause(taskId: string, paused: boolean): void {
    for (const container of this.of(taskId).filter((c) => c.running || c.paused)) {
      container.running = !paused;
      container.paused = paused;
      const event = { type: 'paused' as const, taskId, containerId: container.containerId, paused, at: now() };
      for (const watcher of this.watchers) watcher.onEvent(event);
    }
  }

  /** Test hook: the containers of a task disappear with no event, as if removed while nobody listened. */
  vanish(taskId: string): void {
    for (const container of this.of(taskId)) this.forget(container.containerId);
  }

  private of(taskId: string): MemoryContainer[] {
    return [...(this.byTask.get(taskId) ?? [])].map((id) => this.containers.get(id)!);
  }

  private forget(containerId: string): void {
    const container = this.containers.get(containerId);
    if (!container) return;
    this.containers.delete(containerId);
    const ids = this.byTask.get(container.taskId);
    ids?.delete(containerId);
    if (ids?.size === 0) this.byTask.delete(container.taskId); // a task that ran once costs nothing after
  }
}
