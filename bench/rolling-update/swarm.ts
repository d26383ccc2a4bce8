// Swarm's side of the rolling-update benchmark: a Swarm service on this node,
// driven through the Engine API (dockerode: the calls `docker service create`
// and `docker service update` make, without the CLI's process start). Docker's
// service events say when an update is done (`updatestate.new: completed`).
//
// The routing mesh needs IPVS in the kernel; where it is missing, a port
// published through it is never answered. The copies publish port 80 on the
// host instead (mode=host, a port Docker picks per container), and the
// client's endpoints come from Docker's container events: a container joins
// them when Docker reports it healthy and leaves when it is killed or dies.
// That is the best a client can know of a Swarm service without the mesh.
import Docker from 'dockerode';
import { followDocker, removeLabelled, type DockerEvent } from '../docker-containers.js';
import { Condition } from './condition.js';
import type { Endpoint } from './picking-client.js';
import { COUNT, PARALLELISM, type Image, type Side } from './rollout.js';

const docker = new Docker();
const LIMIT_MS = 120_000;
const nanos = (ms: number) => ms * 1e6; // the Engine API takes durations in nanoseconds

export interface SwarmSettings {
  /** --update-monitor, in ms (0 is not "none" to the Engine API but its default, 5 s). */
  monitorMs: number;
  /** --health-interval, --health-timeout, --health-retries. */
  healthIntervalMs: number;
  healthTimeoutMs: number;
  healthRetries: number;
}

/** The health check of the copies: the same GET / that Cube makes, from inside the container (busybox wget). */
export const SWARM_HEALTH_CMD = 'wget -q -O /dev/null http://127.0.0.1:80/ || exit 1';

interface Followed {
  close: () => void;
  /** Healthy containers, by ID: where the client may send requests. */
  healthy: Map<string, Endpoint>;
  /** The host port of each container that started. */
  ports: Map<string, number>;
  use?: (endpoints: Endpoint[]) => void;
}

export class SwarmSide implements Side {
  private readonly changes = new Condition();
  private readonly followed = new Map<string, Followed>();
  /** The last state of each service's update, from Docker's service events. */
  private readonly updateState = new Map<string, string>();
  private closeServiceEvents: () => void = () => undefined;

  constructor(private readonly settings: SwarmSettings) {}

  /** Follows Docker's service events for the whole run: they say when an update completes. */
  async open(): Promise<void> {
    this.closeServiceEvents = await followDocker(
      { type: ['service'] },
      ({ Actor }) => {
        const state = Actor.Attributes['updatestate.new'];
        if (state) this.updateState.set(Actor.Attributes['name']!, state);
        this.changes.changed();
      },
      (error) => this.changes.fail(error),
    );
  }

  label(name: string): string {
    return `com.docker.swarm.service.name=${name}`;
  }

  private spec(name: string, image: Image): Docker.CreateServiceOptions {
    const { monitorMs, healthIntervalMs, healthTimeoutMs, healthRetries } = this.settings;
    return {
      Name: name,
      TaskTemplate: {
        ContainerSpec: {
          Image: image.id,
          HealthCheck: { Test: ['CMD-SHELL', SWARM_HEALTH_CMD], Interval: nanos(healthIntervalMs), Timeout: nanos(healthTimeoutMs), Retries: healthRetries },
        },
      },
      Mode: { Replicated: { Replicas: COUNT } },
      UpdateConfig: { Parallelism: PARALLELISM, Order: 'start-first', Delay: 0, Monitor: nanos(monitorMs), FailureAction: 'rollback', MaxFailureRatio: 0 },
      EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishMode: 'host' }] },
    };
  }

  private async heardContainer(followed: Followed, { id, Action }: DockerEvent): Promise<void> {
    if (!id) return;
    if (Action === 'start') {
      const info = await docker.getContainer(id).inspect();
      const port = info.NetworkSettings.Ports['80/tcp']?.find((b) => !b.HostIp.includes(':'))?.HostPort;
      if (port) followed.ports.set(id, Number(port));
    } else if (Action === 'health_status: healthy' && followed.ports.has(id)) {
      followed.healthy.set(id, { host: '127.0.0.1', port: followed.ports.get(id)! });
    } else if (Action !== 'health_status: healthy') {
      followed.healthy.delete(id); // killed, died, or unhealthy
    }
    followed.use?.([...followed.healthy.values()]);
    this.changes.changed();
  }

  async create(name: string, image: Image): Promise<void> {
    const followed: Followed = { close: () => undefined, healthy: new Map(), ports: new Map() };
    this.followed.set(name, followed);
    // Docker's events are handled in order: a container's port is known before its health.
    let queue = Promise.resolve();
    followed.close = await followDocker(
      { type: ['container'], label: [this.label(name)], event: ['start', 'health_status', 'kill', 'die'] },
      (event) => {
        queue = queue.then(() => this.heardContainer(followed, event)).catch((error: Error) => this.changes.fail(error));
      },
      (error) => this.changes.fail(error),
    );
    await docker.createService(this.spec(name, image));
    await this.changes.until(
      () => followed.healthy.size >= COUNT,
      LIMIT_MS,
      () => `${name}: ${followed.healthy.size} of ${COUNT} swarm containers healthy after ${LIMIT_MS / 1000} s`,
    );
  }

  feed(name: string, use: (endpoints: Endpoint[]) => void): void {
    const followed = this.followed.get(name)!;
    followed.use = use;
    use([...followed.healthy.values()]);
  }

  async update(name: string, image: Image): Promise<{ done: Promise<void> }> {
    const service = docker.getService(name);
    const { Version } = (await service.inspect()) as { Version: { Index: number } };
    const done = this.changes.until(
      () => {
        const state = this.updateState.get(name);
        if (state === 'completed') return true;
        if (state && state !== 'updating') throw new Error(`${name}: the swarm update ended ${state}`);
        return false;
      },
      LIMIT_MS,
      () => `${name}: the swarm update did not complete within ${LIMIT_MS / 1000} s (last state ${this.updateState.get(name) ?? 'none'})`,
    );
    done.catch(() => undefined); // awaited by the caller; a failure before it does is not unhandled
    await service.update({ _query: { version: Version.Index }, _body: this.spec(name, image) });
    return { done };
  }

  async remove(name: string): Promise<void> {
    this.followed.get(name)?.close();
    this.followed.delete(name);
    this.updateState.delete(name);
    await docker
      .getService(name)
      .remove()
      .catch(() => undefined);
    await removeLabelled(this.label(name));
  }

  close(): void {
    this.closeServiceEvents();
  }
}
