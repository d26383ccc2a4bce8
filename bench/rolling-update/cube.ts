// Cube's side of the rolling-update benchmark: a real `cube start` process
// (a manager and its worker, SQLite in a fresh data dir, Docker), driven over
// its HTTP API. What it says comes from its GET /events stream, followed once
// for the whole run: a service's record (`service.updated`), whose
// Deployment says when a rollout is done, and its endpoints
// (`service.endpoints`), which the client picks from.
import { customAlphabet } from 'nanoid';
import { spawnCube, type CubeProcess } from '../../test/helpers/cube-process.js';
import type { Service } from '../../src/vocabulary/service.js';
import type { Task } from '../../src/vocabulary/task.js';
import { removeLabelled } from '../docker-containers.js';
import { followEvents } from '../lib.js';
import { Condition } from './condition.js';
import type { Endpoint } from './picking-client.js';
import { COUNT, PARALLELISM, type Image, type Side } from './rollout.js';

export const lowerId = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 6);

export interface CubeSettings {
  /** Update.MinHealthy. */
  minHealthy: string;
  ShutdownDelay: string;
  /** CUBE_HEALTH_INTERVAL, CUBE_HEALTH_TIMEOUT, CUBE_HEALTH_FAILURES. */
  env: Record<string, string>;
}

const LIMIT_MS = 120_000;

interface EndpointJson {
  HostIp: string;
  HostPort: string;
}

export class CubeSide implements Side {
  private readonly services = new Map<string, Service>();
  private readonly changes = new Condition();
  private readonly feeds = new Map<string, (endpoints: Endpoint[]) => void>();
  /** With BENCH_TIMELINE=1: what the events said during the rollout under way, and when (Date.now()). */
  private marks: [number, string][] = [];

  private constructor(
    private readonly cube: CubeProcess,
    private readonly worker: string,
    private readonly settings: CubeSettings,
    private readonly abort: AbortController,
  ) {}

  static async start(settings: CubeSettings): Promise<CubeSide> {
    const worker = `bench-roll-${lowerId()}`;
    const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', worker], {
      CUBE_LOG: process.env['BENCH_DEBUG'] ? '1' : '0',
      ...settings.env,
    });
    const side = new CubeSide(cube, worker, settings, new AbortController());
    await followEvents(`${cube.url}/events`, (type, data) => side.heard(type, data), side.abort.signal);
    return side;
  }

  private heard(type: string, data: any): void {
    if (type === 'snapshot') for (const service of data.services as Service[]) this.services.set(service.Name, service);
    else if (type === 'service.updated') {
      this.services.set(data.service.Name, data.service);
      this.marks.push([Date.now(), `service ${data.service.StateName}, ${data.service.Deployment?.Healthy} healthy`]);
    } else if (type === 'service.endpoints') {
      this.marks.push([Date.now(), `${data.endpoints.length} endpoints`]);
      this.feeds.get(data.service)?.(toEndpoints(data.endpoints));
    } else if (type === 'service.removed') this.services.delete(data.service);
    this.changes.changed();
  }

  label(): string {
    return `cube.worker=${this.worker}`;
  }

  private body(name: string, image: Image) {
    return JSON.stringify({
      Name: name,
      Count: COUNT,
      Task: { Image: image.tag, ExposedPorts: { '80/tcp': {} }, HealthCheck: '/' },
      Update: { Parallelism: PARALLELISM, Order: 'start-first', MinHealthy: this.settings.minHealthy, HealthyDeadline: '2m', OnFailure: 'rollback' },
      ShutdownDelay: this.settings.ShutdownDelay,
    });
  }

  private async call(method: string, path: string, body?: string): Promise<unknown> {
    const response = await fetch(`${this.cube.url}${path}`, { method, ...(body ? { body } : {}) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Resolves once the service's deployment of `version` succeeded; fails if it ended otherwise. */
  private deployed(name: string, version: number): Promise<void> {
    return this.changes.until(
      () => {
        const deployment = this.services.get(name)?.Deployment;
        if (deployment?.Version !== version || deployment.State === 'running') return false;
        if (deployment.State === 'succeeded') return true;
        throw new Error(`${name}: the deployment of version ${version} ended ${deployment.State}: ${deployment.Reason}`);
      },
      LIMIT_MS,
      () => `${name}: version ${version} not deployed after ${LIMIT_MS / 1000} s: ${JSON.stringify(this.services.get(name)?.Deployment)}`,
    );
  }

  async create(name: string, image: Image): Promise<void> {
    await this.call('POST', '/services', this.body(name, image));
    await this.deployed(name, 1);
  }

  feed(name: string, use: (endpoints: Endpoint[]) => void): void {
    this.feeds.set(name, use);
    // What changed before this is in the answer; what changes after it comes as events.
    void this.call('GET', `/services/${name}/endpoints`).then(
      (list) => use(toEndpoints(list as EndpointJson[])),
      (error: Error) => this.changes.fail(error),
    );
  }

  async update(name: string, image: Image): Promise<{ done: Promise<void> }> {
    const done = this.deployed(name, 2);
    done.catch(() => undefined); // awaited by the caller; a failure before it does is not unhandled
    this.marks = [];
    const begin = Date.now();
    await this.call('PUT', `/services/${name}`, this.body(name, image));
    if (process.env['BENCH_TIMELINE']) return { done: done.then(() => this.printTimeline(name, begin)) };
    return { done };
  }

  /**
   * Where the time of a rollout went (BENCH_TIMELINE=1): every entry of the
   * copies' histories and what the events said, in ms after the PUT. The
   * histories are dated by whoever saw each fact; Submitted by the service.
   */
  private async printTimeline(name: string, begin: number): Promise<void> {
    const lines = this.marks.map(([at, what]): [number, string] => [at - begin, what]);
    for (const task of (await this.call('GET', `/tasks?service=${name}`)) as Task[]) {
      const who = `v${task.ServiceVersion} slot ${task.Slot}`;
      lines.push([Date.parse(task.SubmitTime) - begin, `${who} Submitted`]);
      for (const event of task.Events) lines.push([Date.parse(event.Time) - begin, `${who} ${event.Type}: ${event.Message}`]);
    }
    const during = lines.filter(([ms]) => ms >= 0).sort((a, b) => a[0] - b[0]);
    console.log(during.map(([ms, what]) => `  ${String(ms).padStart(6)} ms  ${what}`).join('\n'));
  }

  async remove(name: string): Promise<void> {
    this.feeds.delete(name);
    await this.call('DELETE', `/services/${name}`);
    await removeLabelled(this.label());
  }

  async close(): Promise<void> {
    this.abort.abort();
    if (process.env['BENCH_DEBUG']) (await import('node:fs')).writeFileSync('/tmp/cube-bench.log', this.cube.output());
    await this.cube.stop();
    await removeLabelled(this.label());
  }
}

const toEndpoints = (list: EndpointJson[]): Endpoint[] => list.map((e) => ({ host: e.HostIp, port: Number(e.HostPort) }));
