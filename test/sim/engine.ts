// A simulated container engine, one per worker machine. It outlives the worker
// process (a worker killed with -9 leaves its containers running, as Docker
// does) and implements what src/runtime/docker.ts promises: calls for one task
// run one after another, a start adopts the task's running container unless
// it replaces it, stop keeps the container, remove takes every container of
// the task, and deaths and removals are reported as events, a little later,
// while the event stream is up. Named volumes as the Docker runtime keeps
// them: a start makes those its task mounts that the engine lacks (inspect,
// then create, labelled with the worker), a container's going leaves them, and
// only a removal on request takes one, refused while a container mounts it.
//
// Faults, all switched by the schedule: the engine restarts (its containers
// die, calls fail, the stream drops and comes back), hangs (calls answer only
// when it recovers, and the work still happens then), is slow to start
// containers, fails calls of one kind; containers crash, crash-loop, are
// OOM-killed, vanish without an event, are paused, fail their health checks
// (all of them, or one now and then).
import { Lanes } from '../../src/actors/lanes.js';
import type { Started, Stopped } from '../../src/vocabulary/runtime.js';
import type { Task } from '../../src/vocabulary/task.js';
import type { LogLine } from '../../src/logs/log-line.js';
import {
  RuntimeError,
  type ContainerEvent,
  type ContainerInfo,
  type ContainerRuntime,
  type LogOptions,
  type StartOptions,
  type VolumeInfo,
  type VolumeRefusal,
  type VolumeStore,
  type WatchHandlers,
} from '../../src/runtime/types.js';
import { bindRefusal } from '../../src/runtime/docker.js';
import { volumeNames, type Mount } from '../../src/vocabulary/mounts.js';
import { samePlacement } from '../../src/vocabulary/placement.js';
import type { Observer } from './observer.js';
import type { Random } from './random.js';
import type { Trace } from './trace.js';

export interface SimContainer {
  id: string;
  taskId: string;
  name: string;
  /** What it was started from: the spec the user last asked for must be what runs. */
  spec: { Image: string; Env: string[]; Cmd: string[] };
  /** The placement it was created for (its label). */
  placement: string;
  /** The named volumes it mounts. */
  volumes: string[];
  running: boolean;
  /** When it last started (ms). */
  startedAt: number;
  paused: boolean;
  exitCode: number | null;
  /** The host port its first exposed port is published on, and that port's key ("80/tcp"). */
  hostPort: number | null;
  portKey: string;
  /** What it wrote: a line when it starts and one when it exits. */
  output: LogLine[];
}

export type CallKind = 'start' | 'stop' | 'remove' | 'list';

const iso = () => new Date().toISOString();

export class SimEngine {
  readonly containers = new Map<string, SimContainer>();
  /** Engine restarting: calls fail and the event stream is down until then (absolute ms). */
  downUntil = 0;
  /** Engine hanging: calls answer at this time, not before. */
  hangUntil = 0;
  /** Starts take this much longer until `slowUntil`. */
  slowUntil = 0;
  /** Calls of a kind fail until the time given. */
  readonly failing = new Map<CallKind, number>();
  /** Tasks whose new containers exit soon after they start, until the time given. */
  readonly crashLoop = new Map<string, number>();
  /** Tasks whose containers fail health checks, until the time given. */
  readonly unhealthy = new Map<string, number>();
  /** Tasks whose containers fail a health check now and then, each with the chance given, until the time given. */
  readonly flaky = new Map<string, { until: number; chance: number }>();
  /** Every container that ever exited, with its code: the facts a worker's records must match. */
  readonly exits = new Map<string, number>();
  /** Containers that exited 0 by themselves (not killed, not out of memory): a job that is done, when its policy says so. */
  readonly doneByThemselves = new Set<string>();
  /** Named volumes by name, each with the worker whose runtime made it (its label); they outlive containers and restarts. */
  readonly volumes = new Map<string, VolumeInfo & { worker: string }>();
  private readonly watchers = new Set<{ handlers: WatchHandlers; connected: boolean; lastDelivery: number }>();
  private next = 1;

  constructor(
    readonly name: string,
    private readonly number: number,
    private readonly random: Random,
    private readonly trace: Trace,
    private readonly observer: Observer,
    private readonly ports: Map<number, SimContainer>,
  ) {}

  /** A fresh ContainerRuntime for one worker process over this engine. */
  runtime(): ContainerRuntime {
    return new SimRuntime(this);
  }

  isDown(): boolean {
    return Date.now() < this.downUntil;
  }

  of(taskId: string): SimContainer[] {
    return [...this.containers.values()].filter((c) => c.taskId === taskId);
  }

  // ---- the engine's side of calls --------------------------------------------

  /** Waits as an engine call does: its latency, a hang, a restart or a failure of its kind. */
  async call(kind: CallKind | 'inspect', what: string, latencyMs: number): Promise<void> {
    const hang = this.hangUntil - Date.now();
    if (hang > 0) await sleep(hang);
    await sleep(latencyMs);
    if (this.isDown()) throw new RuntimeError(`the Docker engine does not answer at sim://${this.name} (ECONNREFUSED): ${what}`);
    const failUntil = kind === 'inspect' ? 0 : (this.failing.get(kind) ?? 0);
    if (Date.now() < failUntil) throw new RuntimeError(`${what}: (HTTP code 500) server error - simulated ${kind} failure`);
  }

  latency(): number {
    return this.random.int(1, 20);
  }

  startLatency(): number {
    const slow = Date.now() < this.slowUntil ? this.random.int(2_000, 12_000) : 0;
    return slow + this.random.int(20, 600);
  }

  /** Creates a task's container, not yet running (Docker's "created"). */
  create(task: Task): SimContainer {
    const id = `c${this.number}${(this.next++).toString(16).padStart(10, '0')}${'0'.repeat(52)}`;
    const portKey = Object.keys({ ...task.ExposedPorts, ...task.PortBindings })[0] ?? '';
    const container: SimContainer = {
      id,
      taskId: task.ID,
      name: task.Name,
      spec: { Image: task.Image, Env: [...task.Env], Cmd: [...task.Cmd] },
      placement: task.Placement,
      volumes: volumeNames(task.Mounts),
      running: false,
      startedAt: 0,
      paused: false,
      exitCode: null,
      hostPort: portKey ? 40000 + this.number * 1000 + (this.next % 1000) : null,
      portKey,
      output: [],
    };
    this.containers.set(id, container);
    if (container.hostPort !== null) this.ports.set(container.hostPort, container);
    return container;
  }

  /** Starts a created container; under a crash-loop fault it exits soon after. */
  run(container: SimContainer): SimContainer {
    container.running = true;
    container.startedAt = Date.now();
    container.output.push({ Time: iso(), Stream: 'stdout', Line: `${container.spec.Image} started` });
    this.trace.add(this.name, `container ${short(container.id)} of ${container.taskId} started`);
    const loopUntil = this.crashLoop.get(container.taskId) ?? 0;
    if (Date.now() < loopUntil) {
      setTimeout(() => this.exit(container, 1, { oom: false, outside: false, why: 'crash-loop' }), this.random.int(5, 1500));
    }
    return container;
  }

  /** A container ends: `outside` when someone other than Cube killed it. */
  exit(container: SimContainer, exitCode: number, how: { oom: boolean; outside: boolean; why: string }): void {
    if (!this.containers.has(container.id) || !container.running) return;
    container.running = false;
    container.paused = false;
    container.exitCode = exitCode;
    container.output.push({ Time: iso(), Stream: 'stderr', Line: `exiting with ${exitCode} (${how.why})` });
    this.exits.set(container.id, exitCode);
    if (exitCode === 0 && !how.oom && !how.outside) this.doneByThemselves.add(container.id);
    this.trace.add(this.name, `container ${short(container.id)} of ${container.taskId} exited ${exitCode} (${how.why})`);
    this.publish({ type: 'exited', taskId: container.taskId, containerId: container.id, exitCode, oom: how.oom, outside: how.outside, at: iso() });
  }

  /** Removes a container; `silently` when the engine loses it with no event. */
  destroy(container: SimContainer, silently = false): void {
    if (!this.containers.delete(container.id)) return;
    if (container.hostPort !== null) this.ports.delete(container.hostPort);
    this.trace.add(this.name, `container ${short(container.id)} of ${container.taskId} ${silently ? 'vanished' : 'removed'}`);
    if (!silently) this.publish({ type: 'removed', taskId: container.taskId, containerId: container.id, at: iso() });
  }

  /** Cube stops a container: its death is Cube's (not from outside). */
  stopContainer(container: SimContainer): void {
    if (container.running) this.exit(container, 143, { oom: false, outside: false, why: 'stopped by Cube' });
  }

  // ---- faults -----------------------------------------------------------------

  /** `docker pause` (or unpause): the container is alive but does not run; Docker says so in an event. */
  pause(container: SimContainer, paused: boolean): void {
    if (!this.containers.has(container.id) || !container.running || container.paused === paused) return;
    container.paused = paused;
    this.trace.add(this.name, `container ${short(container.id)} of ${container.taskId} ${paused ? 'paused' : 'unpaused'}`);
    this.publish({ type: 'paused', taskId: container.taskId, containerId: container.id, paused, at: iso() });
  }

  /** The engine restarts: its containers die, the stream drops, calls fail until it is back. */
  restart(downMs: number): void {
    this.trace.add(this.name, `engine restarts (down ${downMs} ms)`);
    this.downUntil = Date.now() + downMs;
    for (const watcher of this.watchers) this.disconnect(watcher, 'the Docker event stream ended');
    for (const container of this.containers.values()) {
      if (container.running) {
        container.running = false;
        container.paused = false;
        container.exitCode = 255;
        this.exits.set(container.id, 255);
      }
    }
    setTimeout(() => {
      this.trace.add(this.name, 'engine back');
      for (const watcher of this.watchers) this.reconnectLater(watcher);
    }, downMs);
  }

  watch(handlers: WatchHandlers): () => void {
    const watcher = { handlers, connected: false, lastDelivery: 0 };
    this.watchers.add(watcher);
    if (this.isDown()) setTimeout(() => watcher.handlers.onDisconnected('the Docker engine does not answer (ECONNREFUSED)'), 1);
    else this.reconnectLater(watcher);
    return () => this.watchers.delete(watcher);
  }

  private reconnectLater(watcher: { handlers: WatchHandlers; connected: boolean }): void {
    setTimeout(
      () => {
        if (!this.watchers.has(watcher as never) || watcher.connected) return;
        if (this.isDown()) return this.reconnectLater(watcher);
        watcher.connected = true;
        watcher.handlers.onConnected();
      },
      this.random.int(1, 1000),
    );
  }

  private disconnect(watcher: { handlers: WatchHandlers; connected: boolean }, reason: string): void {
    if (!watcher.connected) return;
    watcher.connected = false;
    watcher.handlers.onDisconnected(reason);
  }

  /** Events reach each connected watcher in order, a little later; a watcher that is down misses them. */
  private publish(event: ContainerEvent): void {
    for (const watcher of this.watchers) {
      if (!watcher.connected) continue;
      // Docker's event stream lags now and then (a busy daemon): an event may come after the next call's answer.
      const lag = this.random.chance(0.1) ? this.random.int(30, 1500) : this.random.int(1, 30);
      const at = Math.max(watcher.lastDelivery, Date.now() + lag);
      watcher.lastDelivery = at;
      setTimeout(() => {
        if (this.watchers.has(watcher) && watcher.connected) watcher.handlers.onEvent(event);
      }, at - Date.now());
    }
  }

  /** Makes a named volume the engine lacks (Docker's volume create), labelled with the worker whose runtime asked. */
  makeVolume(name: string, worker: string): void {
    if (this.volumes.has(name)) return;
    this.volumes.set(name, { Name: name, Created: iso(), Mountpoint: `/var/lib/docker/volumes/${name}/_data`, worker });
    this.trace.add(this.name, `volume ${name} made`);
  }

  /** Removes a named volume (Docker's volume rm): 404 when there is none, 409 while a container, running or not, mounts it. */
  removeVolume(name: string): 404 | 409 | undefined {
    if (!this.volumes.has(name)) return 404;
    if ([...this.containers.values()].some((c) => c.volumes.includes(name))) return 409;
    this.volumes.delete(name);
    this.trace.add(this.name, `volume ${name} removed`);
    return undefined;
  }

  startBegins(task: Task): void {
    this.observer.startBegins(this.name, task);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const short = (id: string) => id.slice(0, 12);

/** One worker process's client of its engine: calls for one task in order, as DockerRuntime's lanes; its volumes as DockerRuntime keeps them. */
class SimRuntime implements ContainerRuntime, VolumeStore {
  private readonly lanes = new Lanes();

  constructor(private readonly engine: SimEngine) {}

  async describe(): Promise<string> {
    return `simulated engine ${this.engine.name}`;
  }

  start(task: Task, options: StartOptions): Promise<Started> {
    this.engine.startBegins(task);
    return this.lanes.run(task.ID, async () => {
      const engine = this.engine;
      const notes: string[] = [];
      const latency = engine.startLatency();
      // As DockerRuntime.start: a restart first removes what the task has (calls of their own), then creates.
      if (options.replace) {
        await engine.call('remove', `remove containers of ${task.Name}`, engine.latency());
        for (const old of engine.of(task.ID)) {
          engine.stopContainer(old);
          engine.destroy(old);
        }
      }
      // As DockerRuntime.start: binds held to the worker's roots (it allows none), then the volumes made, then the container.
      const refusal = this.mountRefusal(task.Mounts);
      if (refusal) throw new RuntimeError(refusal);
      for (const volume of volumeNames(task.Mounts)) {
        await engine.call('inspect', `inspect volume ${volume}`, engine.latency());
        if (!engine.volumes.has(volume)) {
          await engine.call('start', `create volume ${volume}`, engine.latency());
          engine.makeVolume(volume, engine.name);
        }
      }
      await engine.call('start', `create container of ${task.Name}`, Math.floor(latency / 2));
      const existing = engine.of(task.ID);
      // Only the same placement's running container is adopted; an older placement's is replaced.
      const running = existing.find((c) => c.running && !c.paused && samePlacement(c.placement, task.Placement));
      if (running && !options.replace) {
        notes.push(`adopted its running container ${short(running.id)}`);
        return started(running, notes);
      }
      for (const old of existing) {
        engine.stopContainer(old);
        engine.destroy(old);
      }
      // Created now, started when the rest of the call's time has passed: a listing meanwhile sees it not running.
      const container = engine.create(task);
      await engine.call('start', `start container of ${task.Name}`, latency - Math.floor(latency / 2));
      if (!engine.containers.has(container.id)) throw new RuntimeError(`container ${short(container.id)} of ${task.Name} was removed before it started`);
      return started(engine.run(container), notes);
    });
  }

  stop(task: Task): Promise<Stopped> {
    return this.lanes.run(task.ID, async () => {
      await this.engine.call('stop', `stop container of ${task.Name}`, this.engine.latency());
      const container = this.engine.containers.get(task.ContainerID);
      if (container) this.engine.stopContainer(container);
      return { at: iso() };
    });
  }

  remove(task: Task): Promise<Stopped> {
    return this.lanes.run(task.ID, async () => {
      await this.engine.call('remove', `remove container of ${task.Name}`, this.engine.latency());
      for (const container of this.engine.of(task.ID)) {
        this.engine.stopContainer(container);
        this.engine.destroy(container);
      }
      return { at: iso() };
    });
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.engine.call('remove', `remove container ${short(containerId)}`, this.engine.latency());
    const container = this.engine.containers.get(containerId);
    if (!container) return;
    this.engine.stopContainer(container);
    this.engine.destroy(container);
  }

  async list(): Promise<ContainerInfo[]> {
    // The engine answers with what it had when it took the call; the answer then takes its time to come back.
    const latency = this.engine.latency();
    await this.engine.call('list', 'list containers', 0);
    // Docker lists a paused container with State "paused", which is not "running".
    const listing = [...this.engine.containers.values()].map((c) => ({
      taskId: c.taskId,
      placement: c.placement,
      containerId: c.id,
      name: c.name,
      running: c.running && !c.paused,
      paused: c.running && c.paused,
    }));
    await sleep(latency);
    return listing;
  }

  mountRefusal(mounts: readonly Mount[]): string | undefined {
    return bindRefusal(mounts, [], this.engine.name);
  }

  async volumes(): Promise<VolumeInfo[]> {
    await this.engine.call('list', 'list volumes', this.engine.latency());
    return [...this.engine.volumes.values()]
      .filter((v) => v.worker === this.engine.name)
      .map(({ Name, Created, Mountpoint }) => ({ Name, Created, Mountpoint }))
      .sort((a, b) => a.Name.localeCompare(b.Name));
  }

  async removeVolume(name: string): Promise<VolumeRefusal | undefined> {
    await this.engine.call('remove', `remove volume ${name}`, this.engine.latency());
    const volume = this.engine.volumes.get(name);
    if (volume && volume.worker !== this.engine.name) {
      return { status: 404, reason: `volume ${name} was not made by worker ${this.engine.name}, which removes only its own; GET /volumes lists them` };
    }
    const refused = this.engine.removeVolume(name);
    if (refused === 404) return { status: 404, reason: `no volume ${name} on worker ${this.engine.name}; GET /volumes lists its volumes` };
    if (refused === 409) return { status: 409, reason: `volume ${name} is in use by a container; stop the task that uses it first` };
    return undefined;
  }

  async exitCode(containerId: string): Promise<number | null> {
    await this.engine.call('inspect', 'inspect container', this.engine.latency());
    const container = this.engine.containers.get(containerId);
    if (!container) return null;
    return container.exitCode ?? 0;
  }

  /** What the container wrote before the call (the simulated containers write nothing while followed). */
  async logs(containerId: string, options: LogOptions): Promise<AsyncIterable<LogLine>> {
    await this.engine.call('inspect', `read logs of ${short(containerId)}`, this.engine.latency());
    const container = this.engine.containers.get(containerId);
    if (!container) throw new RuntimeError(`container ${short(containerId)} is gone from the engine, and its output with it`);
    const since = options.since;
    const lines = container.output.filter((l) => since === undefined || Date.parse(l.Time) / 1000 > since);
    const shown = lines.slice(options.tail === undefined ? 0 : Math.max(0, lines.length - options.tail));
    return (async function* () {
      yield* shown;
    })();
  }

  async settle(): Promise<void> {
    await this.lanes.idle();
  }

  watch(handlers: WatchHandlers): () => void {
    return this.engine.watch(handlers);
  }
}

function started(container: SimContainer, notes: string[]): Started {
  const hostPorts = container.hostPort === null ? null : { [container.portKey]: [{ HostIp: '0.0.0.0', HostPort: String(container.hostPort) }] };
  return { containerId: container.id, hostPorts, startedAt: iso(), notes };
}
