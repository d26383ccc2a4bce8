// The Docker adapter: the real ContainerRuntime, over dockerode.
//
// Every call is idempotent and addressed by labels: a create that meets a
// container of the same task adopts it (or replaces it on a restart) instead
// of duplicating it, 304s mean "already", 404s on stop/remove mean "already
// gone". Calls for one task run one after another, so a stop that arrives
// while a start is in flight removes what that start created.
import Docker from 'dockerode';
import type { Started, Stopped } from '../vocabulary/runtime.js';
import { TaskState, type PortBinding, type Task } from '../vocabulary/task.js';
import { followDockerEvents } from './docker-events.js';
import { connectionOptions, describeDockerError, dockerAddress, dockerMessage, isUnreachable, statusOf, unreachableMessage } from './docker-errors.js';
import { ensureImage } from './image-pull.js';
import { Lanes } from '../actors/lanes.js';
import { demultiplex } from '../logs/demux.js';
import type { LogLine } from '../logs/log-line.js';
import type { Readable } from 'node:stream';
import { CLUSTER_LABEL, PLACEMENT_LABEL, TASK_LABEL, WORKER_LABEL } from './labels.js';
import { isNewerPlacement, samePlacement } from '../vocabulary/placement.js';
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
} from './types.js';
import { bindsOutside, type Mount } from '../vocabulary/mounts.js';

export interface DockerRuntimeOptions {
  /** The worker's name: its containers carry it as a label. */
  worker: string;
  /** The cluster's identity (src/store/cluster-id.ts): new containers carry it, and only containers it calls ours are touched. */
  cluster: { readonly id: string; isOurs(label: string | undefined): boolean };
  /** A DOCKER_HOST-style address; by default the engine is found as the Docker CLI finds it. */
  host?: string;
  /** Seconds Docker waits after SIGTERM before SIGKILL (docker stop -t). */
  stopTimeoutSeconds?: number;
  /** Idle limit for one Docker call, so an engine that hangs fails tasks instead of hanging them. */
  callTimeoutMs?: number;
  /** The host address task ports are published on (CUBE_PUBLISH_HOST); unset: every address, Docker's default. */
  publishHost?: string;
  /** Bytes kept of one line of a container's output (CUBE_LOG_LINE_MAX). */
  logLineMax: number;
  /** Host paths a task may bind, and what is below them (--volume-root); none by default. */
  volumeRoots?: readonly string[];
}

/** Why a task's binds are refused: the worker allows no such host path (the same words the worker's API answers 400 with). */
export function bindRefusal(mounts: readonly Mount[], roots: readonly string[], worker: string): string | undefined {
  const outside = bindsOutside(mounts, roots);
  if (outside.length === 0) return undefined;
  const allowed = roots.length > 0 ? `it allows ${roots.join(', ')} and what is below` : 'it allows none';
  return `Mounts: host path ${outside.join(', ')} is outside the host paths worker ${worker} lets tasks bind (--volume-root / CUBE_VOLUME_ROOT; ${allowed})`;
}

const now = () => new Date().toISOString();
const RECENT_EXITS = 1000;
/** How many times a create meets its name taken before it gives up (`create`). */
const NAME_ATTEMPTS = 3;

export class DockerRuntime implements ContainerRuntime, VolumeStore {
  readonly address: string;
  private readonly docker: Docker;
  /** Streams (events, pulls) are long and quiet: no idle limit for them. */
  private readonly streams: Docker;
  /** Calls for one task run in order (src/actors/lanes.ts). */
  private readonly lanes = new Lanes();
  /** Containers Cube is stopping: their `kill` event is Cube's, not someone else's. */
  private readonly stopping = new Set<string>();
  /** Recent deaths, to catch a container that dies before its start call returns. */
  private readonly recentExits = new Map<string, Extract<ContainerEvent, { type: 'exited' }>>();
  private readonly stopTimeout: number;

  constructor(private readonly options: DockerRuntimeOptions) {
    this.address = options.host ?? dockerAddress();
    const connection = options.host ? connectionOptions(options.host) : {};
    this.docker = new Docker({ ...connection, timeout: options.callTimeoutMs ?? 60_000 });
    this.streams = new Docker(connection);
    this.stopTimeout = options.stopTimeoutSeconds ?? 10;
  }

  async describe(): Promise<string> {
    try {
      const version = await this.docker.version();
      return `Docker ${version.Version} at ${this.address}`;
    } catch (error) {
      throw new RuntimeError(
        isUnreachable(error) ? unreachableMessage(error, this.address) : describeDockerError('ask Docker its version', error, this.address),
      );
    }
  }

  start(task: Task, options: StartOptions): Promise<Started> {
    return this.lanes.run(task.ID, async () => {
      try {
        const notes: string[] = [];
        if (options.replace) await this.removeTaskContainers(task.ID, notes);
        // The last word on binds is here, before Docker is asked anything: a record restored or sent by any path is held to the roots.
        const refusal = this.mountRefusal(task.Mounts);
        if (refusal) throw new RuntimeError(refusal);
        await ensureImage({ calls: this.docker, streams: this.streams }, this.address, task.Image, options.onProgress);
        await this.ensureVolumes(task.Mounts);
        const created = await this.create(task, options.replace, task.PortBindings, notes);
        if (created.adopted) {
          notes.push(`adopted its running container ${created.id.slice(0, 12)}`);
          return await this.started(created.id, notes);
        }
        return await this.started(await this.startCreated(task, created.id, notes), notes);
      } catch (error) {
        throw this.asRuntimeError(`start task ${task.Name}`, error);
      }
    });
  }

  stop(task: Task): Promise<Stopped> {
    return this.lanes.run(task.ID, async () => {
      if (task.ContainerID) await this.stopContainer(task.ContainerID).catch((e) => this.rethrow(`stop container of ${task.Name}`, e));
      return { at: now() };
    });
  }

  /**
   * A task whose container is known and settled (it ran, or it failed) has
   * that container stopped and removed: two calls. One stopped while its
   * start was on its way (still Scheduled) may have a container nobody knows
   * the ID of yet, so its containers are looked up by label first. Leftovers
   * of earlier runs are the reconcile's (machines/worker/reconcile.ts, `reconcilePlan`).
   */
  remove(task: Task): Promise<Stopped> {
    return this.lanes.run(task.ID, async () => {
      const known = task.ContainerID !== '' && task.State !== TaskState.Scheduled;
      const removing = known ? this.discard(task.ContainerID) : this.removeTaskContainers(task.ID);
      await removing.catch((e) => this.rethrow(`remove container of ${task.Name}`, e));
      return { at: now() };
    });
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.discard(containerId).catch((e) => this.rethrow(`remove container ${containerId.slice(0, 12)}`, e));
  }

  async list(): Promise<ContainerInfo[]> {
    try {
      const containers = await this.ourContainers([]);
      return containers.map((c) => ({
        taskId: c.Labels[TASK_LABEL] ?? '',
        placement: c.Labels[PLACEMENT_LABEL] ?? '',
        containerId: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        running: c.State === 'running',
        paused: c.State === 'paused',
      }));
    } catch (error) {
      throw this.asRuntimeError('list containers', error);
    }
  }

  mountRefusal(mounts: readonly Mount[]): string | undefined {
    return bindRefusal(mounts, this.options.volumeRoots ?? [], this.options.worker);
  }

  async volumes(): Promise<VolumeInfo[]> {
    try {
      const { Volumes } = await this.docker.listVolumes({ filters: { label: [this.workerLabel()] } });
      return (Volumes ?? [])
        .filter((v) => this.options.cluster.isOurs(v.Labels?.[CLUSTER_LABEL]))
        .map((v) => ({ Name: v.Name, Created: (v as { CreatedAt?: string }).CreatedAt ?? '', Mountpoint: v.Mountpoint }))
        .sort((a, b) => a.Name.localeCompare(b.Name));
    } catch (error) {
      throw this.asRuntimeError('list volumes', error);
    }
  }

  async removeVolume(name: string): Promise<VolumeRefusal | undefined> {
    try {
      const labels = (await this.docker.getVolume(name).inspect()).Labels ?? {};
      if (labels[WORKER_LABEL] !== this.options.worker || !this.options.cluster.isOurs(labels[CLUSTER_LABEL])) {
        return { status: 404, reason: `volume ${name} was not made by worker ${this.options.worker}, which removes only its own; GET /volumes lists them` };
      }
      await this.docker.getVolume(name).remove();
      return undefined;
    } catch (error) {
      if (statusOf(error) === 404) return { status: 404, reason: `no volume ${name} on worker ${this.options.worker}; GET /volumes lists its volumes` };
      if (statusOf(error) === 409)
        return { status: 409, reason: `volume ${name} is in use by a container (${dockerMessage(error)}); stop the task that uses it first` };
      throw this.asRuntimeError(`remove volume ${name}`, error);
    }
  }

  async exitCode(containerId: string): Promise<number | null> {
    try {
      return (await this.docker.getContainer(containerId).inspect()).State.ExitCode;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw this.asRuntimeError('inspect container', error);
    }
  }

  async settle(): Promise<void> {
    await this.lanes.idle();
  }

  watch(handlers: WatchHandlers): () => void {
    return followDockerEvents(this.streams, {
      labels: [this.workerLabel()],
      isOurs: (attributes) => this.options.cluster.isOurs(attributes[CLUSTER_LABEL]),
      stoppedByCube: (id) => this.stopping.has(id),
      killMemoryMs: Math.max(30_000, 2000 * this.stopTimeout),
      onConnected: handlers.onConnected,
      onDisconnected: handlers.onDisconnected,
      onEvent: (event) => {
        if (event.type === 'exited') {
          this.stopping.delete(event.containerId);
          this.recentExits.set(event.containerId, event);
          if (this.recentExits.size > RECENT_EXITS) this.recentExits.delete(this.recentExits.keys().next().value!);
        }
        handlers.onEvent(event);
      },
    });
  }

  async logs(containerId: string, options: LogOptions): Promise<AsyncIterable<LogLine>> {
    const asked = {
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: options.follow,
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...(options.since !== undefined ? { since: options.since } : {}),
    };
    try {
      const stream = await this.logStream(containerId, asked, options.signal);
      return demultiplexStream(stream, this.options.logLineMax);
    } catch (error) {
      if (statusOf(error) === 404) throw new RuntimeError(`container ${containerId.slice(0, 12)} is gone from the engine, and its output with it`);
      throw this.asRuntimeError(`read the logs of container ${containerId.slice(0, 12)}`, error);
    }
  }

  /**
   * GET /containers/{id}/logs as a stream, followed or not: dockerode's
   * container.logs() holds a whole answer in memory unless it follows, and a
   * container's output may be gigabytes. Streams have no idle limit: a quiet
   * container is not a hung engine.
   */
  private logStream(containerId: string, query: Record<string, unknown>, abortSignal: AbortSignal | undefined): Promise<Readable> {
    const modem = this.streams.getContainer(containerId).modem as { dial(options: object, callback: (error: unknown, stream: Readable) => void): void };
    return new Promise((resolve, reject) =>
      modem.dial(
        {
          path: `/containers/${containerId}/logs?`,
          method: 'GET',
          abortSignal,
          isStream: true,
          statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
          options: query,
        },
        (error, stream) => (error ? reject(error) : resolve(stream)),
      ),
    );
  }

  // ---- internals ----------------------------------------------------------

  private workerLabel(): string {
    return `${WORKER_LABEL}=${this.options.worker}`;
  }

  /**
   * This worker's containers in its cluster, with more label filters. The
   * cluster is told in code: a worker that joined a cluster still owns the
   * containers of the identity it had before, and Docker's label filters
   * cannot say "one of these values".
   */
  private async ourContainers(labels: string[]): Promise<Docker.ContainerInfo[]> {
    const containers = await this.docker.listContainers({ all: true, filters: { label: [...labels, this.workerLabel()] } });
    return containers.filter((c) => this.options.cluster.isOurs(c.Labels[CLUSTER_LABEL]));
  }

  /**
   * Makes the task's named volumes that do not exist yet, with this worker's
   * and its cluster's labels, so GET /volumes lists them and tests can clean
   * them up. One that exists (made by Cube before, or by hand) is used as it
   * is, as `docker run -v` does.
   */
  private async ensureVolumes(mounts: readonly Mount[]): Promise<void> {
    for (const mount of mounts) {
      if (mount.Type !== 'volume') continue;
      const exists = await this.docker
        .getVolume(mount.Source)
        .inspect()
        .then(
          () => true,
          (error: unknown) => {
            if (statusOf(error) === 404) return false;
            throw error;
          },
        );
      if (!exists)
        await this.docker.createVolume({ Name: mount.Source, Labels: { [WORKER_LABEL]: this.options.worker, [CLUSTER_LABEL]: this.options.cluster.id } });
    }
  }

  private spec(task: Task, bindings: Task['PortBindings']): Docker.ContainerCreateOptions {
    // Every exposed port is published: on the asked host port when there is
    // one, else on a port Docker picks (docs/spec.md §1), so health checks can reach it.
    const ports = new Set([...Object.keys(task.ExposedPorts ?? {}), ...Object.keys(task.PortBindings ?? {})]);
    const portBindings: Record<string, { HostIp?: string; HostPort: string }[]> = {};
    const hostIp = this.options.publishHost ? { HostIp: this.options.publishHost } : {};
    for (const port of ports) portBindings[port] = [{ ...hostIp, HostPort: bindings?.[port] ?? '' }];
    return {
      name: task.Name,
      Image: task.Image,
      ...(task.Cmd.length > 0 ? { Cmd: task.Cmd } : {}),
      Env: task.Env,
      Labels: { [TASK_LABEL]: task.ID, [WORKER_LABEL]: this.options.worker, [PLACEMENT_LABEL]: task.Placement, [CLUSTER_LABEL]: this.options.cluster.id },
      ExposedPorts: Object.fromEntries([...ports].map((p) => [p, {}])),
      HostConfig: {
        PortBindings: portBindings,
        // A task that names no ports gets the image's exposed ports on free host ports, as the book's runtime does.
        ...(ports.size === 0 ? { PublishAllPorts: true } : {}),
        ...(task.Memory > 0 ? { Memory: task.Memory } : {}),
        ...(task.Cpu > 0 ? { NanoCpus: Math.round(task.Cpu * 1e9) } : {}),
        ...(task.Mounts.length > 0 ? { Mounts: task.Mounts.map(dockerMount) } : {}),
        Init: true, // tini forwards SIGTERM, so shells that ignore it still stop at once
        RestartPolicy: { Name: 'no' }, // Cube owns restarts
      },
    };
  }

  /**
   * Creates the container; meeting one of the same name, adopts it (ours, running),
   * replaces it (ours, or the same task left by another worker on this engine:
   * the manager moved the task here), or refuses (anyone else's). The name can
   * be taken again between the removal and the create (that other worker's
   * restart policy starting its copy once more): then the one found is judged
   * again, a few times at most.
   */
  private async create(task: Task, replace: boolean, bindings: Task['PortBindings'], notes: string[]): Promise<{ id: string; adopted: boolean }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const container = await this.docker.createContainer(this.spec(task, bindings));
        return { id: container.id, adopted: false };
      } catch (error) {
        if (statusOf(error) === 404) {
          throw new RuntimeError(`image "${task.Image}" was removed from the worker before its container could be created; start the task again`);
        }
        if (statusOf(error) !== 409 || attempt === NAME_ATTEMPTS) throw error;
      }
      const existing = await this.docker
        .getContainer(task.Name)
        .inspect()
        .catch((error: unknown) => {
          if (statusOf(error) === 404) return undefined; // gone meanwhile: the name is free again
          throw error;
        });
      if (!existing) continue;
      const adopted = this.claim(task, replace, existing, notes);
      if (adopted) return { id: existing.Id, adopted: true };
      await this.discard(existing.Id, notes);
    }
  }

  /**
   * What to do with the container `existing` that holds a task's name: true
   * to adopt it (ours, of this placement, running), false to discard it (ours
   * otherwise, or an older copy of the task another worker left); a container
   * of anyone else, or a newer copy, is refused with a reason.
   */
  private claim(task: Task, replace: boolean, existing: Docker.ContainerInspectInfo, notes: string[]): boolean {
    const labels = existing.Config.Labels ?? {};
    if (!this.options.cluster.isOurs(labels[CLUSTER_LABEL])) {
      const owner = labels[CLUSTER_LABEL]
        ? `another Cube installation (cluster ${labels[CLUSTER_LABEL]}, task ${labels[TASK_LABEL]})`
        : labels[TASK_LABEL]
          ? `a Cube container with no cluster label (task ${labels[TASK_LABEL]})`
          : 'a container Cube does not manage';
      throw new RuntimeError(
        `the container name "${task.Name}" is taken by ${owner} (${existing.Id.slice(0, 12)}); Cube leaves it alone. ` +
          `Give the task another Name, or remove that container yourself (docker rm -f ${task.Name}) if it is not needed`,
      );
    }
    if (labels[TASK_LABEL] !== task.ID) {
      const owner = labels[TASK_LABEL] ? `Cube task ${labels[TASK_LABEL]} on worker ${labels[WORKER_LABEL]}` : 'a container Cube does not manage';
      throw new RuntimeError(
        `the container name "${task.Name}" is taken by ${owner} (${existing.Id.slice(0, 12)}); ` +
          `remove it (docker rm -f ${task.Name}) or give the task another Name`,
      );
    }
    const ours = labels[WORKER_LABEL] === this.options.worker;
    // Only the same placement's container is adopted; an older placement's is replaced.
    const samePlaced = samePlacement(labels[PLACEMENT_LABEL] ?? '', task.Placement);
    if (ours && samePlaced && !replace && existing.State.Running) return true;
    if (!ours) {
      // Two workers on one engine: the newer placement of the task wins the name; a stale copy never removes a newer one.
      const theirs = labels[PLACEMENT_LABEL] ?? '';
      if (existing.State.Running && isNewerPlacement(theirs, task.Placement)) {
        throw new RuntimeError(
          `worker ${labels[WORKER_LABEL]} runs a newer copy of this task (placement ${theirs}) in container ${existing.Id.slice(0, 12)}; ` +
            `this copy (placement ${task.Placement}) is out of date and does not start`,
        );
      }
      notes.push(`took over from worker ${labels[WORKER_LABEL]}, which left container ${existing.Id.slice(0, 12)} of this task on the engine`);
    }
    return false;
  }

  /**
   * Starts a created container and returns the id that runs. A taken host
   * port is given up for one Docker picks (docs/spec.md §1), which needs a new container.
   */
  private async startCreated(task: Task, id: string, notes: string[]): Promise<string> {
    try {
      await this.docker.getContainer(id).start();
      return id;
    } catch (error) {
      if (statusOf(error) === 304) return id;
      const fixed = Object.entries(task.PortBindings ?? {}).filter(([, hostPort]) => hostPort !== '');
      if (!/port is already allocated|address already in use/i.test(dockerMessage(error)) || fixed.length === 0) throw error;
      await this.discard(id, notes);
      const recreated = await this.create(task, true, null, notes);
      await this.docker.getContainer(recreated.id).start();
      const taken = fixed.map(([port, hostPort]) => `${hostPort} (for ${port})`).join(', ');
      notes.push(`host port ${taken} is taken on this worker, so Docker picked another; see HostPorts`);
      return recreated.id;
    }
  }

  /** Reads what Docker did; a container that already died did not start. */
  private async started(id: string, notes: string[]): Promise<Started> {
    const info = await this.docker.getContainer(id).inspect();
    const died = this.recentExits.get(info.Id);
    if (!info.State.Running || died) {
      const exitCode = died?.exitCode ?? info.State.ExitCode;
      throw new RuntimeError(`the container exited as soon as it started, with code ${exitCode}`, died?.at ?? info.State.FinishedAt, exitCode, info.Id);
    }
    const hostPorts: Record<string, PortBinding[]> = {};
    for (const [port, bound] of Object.entries(info.NetworkSettings.Ports ?? {})) {
      if (bound && bound.length > 0) hostPorts[port] = bound.map((b) => ({ HostIp: b.HostIp, HostPort: b.HostPort }));
    }
    return {
      containerId: info.Id,
      hostPorts: Object.keys(hostPorts).length > 0 ? hostPorts : null,
      startedAt: info.State.StartedAt,
      notes: [...notes],
    };
  }

  private async stopContainer(id: string): Promise<void> {
    this.stopping.add(id);
    try {
      await this.docker.getContainer(id).stop({ t: this.stopTimeout });
    } catch (error) {
      this.stopping.delete(id);
      if (statusOf(error) !== 304 && statusOf(error) !== 404) throw error;
    }
  }

  /**
   * Stops and removes a container. One that Docker cannot remove (a dead
   * container whose files are still busy, as an engine stopped in the middle
   * of a removal leaves behind) is renamed out of the way instead, so its name
   * is free for the task again; `notes` says so.
   */
  private async discard(id: string, notes?: string[]): Promise<void> {
    await this.stopContainer(id);
    try {
      await this.docker.getContainer(id).remove({ force: true });
    } catch (error) {
      if (statusOf(error) === 404) return;
      const info = await this.docker
        .getContainer(id)
        .inspect()
        .catch(() => undefined);
      if (!info) return; // gone meanwhile
      const name = info.Name.replace(/^\//, '');
      const parked = `${name.replace(/-dead-[0-9a-f]{12}$/, '')}-dead-${id.slice(0, 12)}`;
      if (name === parked) return; // already out of the way
      await this.docker
        .getContainer(id)
        .rename({ name: parked })
        .catch(() => {
          throw error;
        });
      notes?.push(`Docker could not remove container ${id.slice(0, 12)} (${dockerMessage(error)}); it was renamed ${parked} so the name is free`);
    }
  }

  private async removeTaskContainers(taskId: string, notes?: string[]): Promise<void> {
    const containers = await this.ourContainers([`${TASK_LABEL}=${taskId}`]);
    await Promise.all(containers.map((c) => this.discard(c.Id, notes)));
  }

  private asRuntimeError(doing: string, error: unknown): RuntimeError {
    if (error instanceof RuntimeError) return error;
    return new RuntimeError(describeDockerError(doing, error, this.address));
  }

  private rethrow(doing: string, error: unknown): never {
    throw this.asRuntimeError(doing, error);
  }
}

/** A task's mount as Docker's HostConfig.Mounts takes it. */
function dockerMount(mount: Mount): Docker.MountConfig[number] {
  const common = { Target: mount.Target, ReadOnly: mount.ReadOnly };
  if (mount.Type === 'tmpfs')
    return { ...common, Type: 'tmpfs', Source: '', ...(mount.Size > 0 ? { TmpfsOptions: { SizeBytes: mount.Size, Mode: 0o1777 } } : {}) };
  return { ...common, Type: mount.Type, Source: mount.Source };
}

/**
 * Lines of a log stream; the stream is destroyed when the reader
 * stops early. Docker may cut the connection instead of ending it when the
 * container is removed: that is the end of its output too.
 */
async function* demultiplexStream(stream: Readable, maxLine: number): AsyncGenerator<LogLine> {
  try {
    yield* demultiplex(stream, maxLine);
  } catch (error) {
    if (!/aborted|ECONNRESET|premature close|socket hang up/i.test(`${(error as Error).message} ${(error as { code?: string }).code}`)) throw error;
  } finally {
    stream.destroy();
  }
}
