// Services (docs/spec.md §9) with real processes and the real engine: copies
// spread over workers, a count kept through scaling, rolling updates that a
// client in front of the service never notices, a bad version rolled back by
// itself, and a rollout that survives its manager killed with -9 and a worker
// killed mid-way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customAlphabet } from 'nanoid';
import type { Service } from '../../src/vocabulary/service.js';
import type { Task } from '../../src/vocabulary/task.js';
import { dockerCli, runningCopiesOf, untilEngine } from '../helpers/docker.js';
import { endpointClient } from '../helpers/endpoint-client.js';
import { get, post, request } from '../helpers/http.js';
import { env, lab } from '../helpers/lab.js';
import { untilView, type ManagerView } from '../helpers/watch.js';

const suffix = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 6);

/** A service of the hello page, healthy once its page answers; `Env` makes another version of it. */
const hello = (name: string, count: number, env: string[] = []) => ({
  Name: name,
  Count: count,
  Task: { Image: 'strm/helloworld-http', ExposedPorts: { '80/tcp': {} }, HealthCheck: '/', Env: env },
  Update: { Parallelism: 1, Order: 'start-first', MinHealthy: '1s', HealthyDeadline: '40s' },
  ShutdownDelay: '500ms',
});

/** A version whose health check always fails. */
const broken = (name: string, count: number) => ({
  ...hello(name, count),
  Task: { Image: 'timboring/echo-server', ExposedPorts: { '7777/tcp': {} }, HealthCheck: '/healthfail' },
});

const quick = (dir: string, extra: Record<string, string> = {}) => env(dir, { CUBE_HEALTH_INTERVAL: '300ms', ...extra });

const serviceOf = (v: ManagerView, name: string) => v.services.find((s) => s.Name === name);
const copies = (v: ManagerView, name: string) => v.tasks.filter((t) => t.Service === name && t.State === 2);
/** The service is stable at `version` with every copy of that version Running, and nothing else left of it. */
const settled = (name: string, count: number, version: number) => (v: ManagerView) => {
  const service = serviceOf(v, name);
  const live = v.tasks.filter((t) => t.Service === name && t.State < 3);
  return (
    service?.StateName === 'stable' && service.Version === version && live.length === count && live.every((t) => t.State === 2 && t.ServiceVersion === version)
  );
};

/** Every copy of the service that the manager has Running has one running container, and no stopped copy has one. */
async function oneContainerPerCopy(url: string, name: string): Promise<void> {
  const tasks = (await get<Task[]>(`${url}/tasks?service=${name}`)).body;
  await untilEngine(
    async () => {
      const counts = await Promise.all(tasks.map(async (t) => [t, (await runningCopiesOf(t.ID)).length] as const));
      return counts.every(([t, n]) => n === (t.State === 2 ? 1 : 0));
    },
    30_000,
    `one running container per Running copy of ${name}, none for the others`,
  );
}

test('a service of 3 spreads over 2 workers; scaled to 5 and back to 2 it keeps the count', { timeout: 120_000 }, async (t) => {
  const cube = lab(t);
  const settings = quick(cube.dir);
  const a = await cube.worker(`s1a-${suffix()}`, settings);
  const b = await cube.worker(`s1b-${suffix()}`, settings);
  const manager = await cube.manager([a.address, b.address], settings);
  await untilView(manager.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up'));
  const name = `web-${suffix()}`;

  const created = await post<Service>(`${manager.url}/services`, hello(name, 3));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.Version, 1);
  let view = await untilView(manager.url, settled(name, 3, 1));
  assert.deepEqual(new Set(copies(view, name).map((c) => c.Worker)), new Set([a.address, b.address]), 'copies on both workers');

  const scaled = await post<Service>(`${manager.url}/services/${name}/scale`, { Count: 5 });
  assert.equal(scaled.status, 200);
  view = await untilView(manager.url, settled(name, 5, 1));
  const perWorker = [a.address, b.address].map((w) => copies(view, name).filter((c) => c.Worker === w).length).sort();
  assert.deepEqual(perWorker, [2, 3], 'spread evenly');
  assert.deepEqual(
    copies(view, name)
      .map((c) => c.Slot)
      .sort(),
    [0, 1, 2, 3, 4],
  );

  await post(`${manager.url}/services/${name}/scale`, { Count: 2 });
  view = await untilView(manager.url, settled(name, 2, 1));
  assert.deepEqual(
    copies(view, name)
      .map((c) => c.Slot)
      .sort(),
    [0, 1],
    'the highest slots went',
  );
  await oneContainerPerCopy(manager.url, name);

  const listed = (await get<Task[]>(`${manager.url}/tasks?service=${name}`)).body;
  assert.ok(listed.every((task) => task.Service === name && task.Name.startsWith(`${name}.`)));
  assert.equal((await request('DELETE', `${manager.url}/services/${name}`)).status, 204);
  await oneContainerPerCopy(manager.url, name);
  assert.equal((await get(`${manager.url}/services/${name}`)).status, 404);
});

test('an update rolls out start-first while a client picking endpoints every 50 ms sees no failed request', { timeout: 180_000 }, async (t) => {
  const cube = lab(t);
  const settings = quick(cube.dir);
  const a = await cube.worker(`s2a-${suffix()}`, settings);
  const b = await cube.worker(`s2b-${suffix()}`, settings);
  const manager = await cube.manager([a.address, b.address], settings);
  await untilView(manager.url, (v) => v.nodes.every((n) => n.State === 'up') && v.nodes.length === 2);
  const name = `web-${suffix()}`;
  await post(`${manager.url}/services`, hello(name, 3));
  await untilView(manager.url, settled(name, 3, 1));

  const client = endpointClient(manager.url, name);
  t.after(() => client.stop());
  let most = 0;
  const updated = await request<Service>('PUT', `${manager.url}/services/${name}`, hello(name, 3, ['VERSION=2']));
  assert.equal(updated.status, 200);
  assert.equal(updated.body.Version, 2);
  assert.equal(updated.body.StateName, 'deploying');
  await untilView(
    manager.url,
    (v) => {
      most = Math.max(most, v.tasks.filter((task) => task.Service === name && task.State === 2).length);
      return settled(name, 3, 2)(v);
    },
    120_000,
  );
  const count = await client.stop();
  assert.equal(count.failed, 0, `failed requests during the rollout: ${count.errors.join('; ')}`);
  assert.ok(count.ok > 20, `the client was busy (${count.ok} answered)`);
  assert.ok(most <= 4, `never more than Count + Parallelism copies Running (saw ${most})`);
  const service = (await get<Service>(`${manager.url}/services/${name}`)).body;
  assert.equal(service.Deployment?.State, 'succeeded');
  assert.equal(service.Stable, 2);
  await oneContainerPerCopy(manager.url, name);
});

test('a version whose health check fails is rolled back by itself; healthy copies never drop below Count − Parallelism', { timeout: 180_000 }, async (t) => {
  const cube = lab(t);
  const settings = quick(cube.dir);
  const worker = await cube.worker(`s3-${suffix()}`, settings);
  const manager = await cube.manager([worker.address], settings);
  await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
  const name = `web-${suffix()}`;
  await post(`${manager.url}/services`, hello(name, 3));
  await untilView(manager.url, settled(name, 3, 1));

  let fewest = Infinity;
  const put = await request<Service>('PUT', `${manager.url}/services/${name}`, broken(name, 3));
  assert.equal(put.status, 200);
  const view = await untilView(
    manager.url,
    (v) => {
      const service = serviceOf(v, name);
      if (service?.Deployment?.Version === 2) fewest = Math.min(fewest, service.Healthy);
      return service?.Deployment?.State === 'rolled-back' && settled(name, 3, 1)(v);
    },
    120_000,
  );
  const service = serviceOf(view, name)!;
  assert.equal(service.Version, 1);
  assert.match(service.Deployment!.Reason, /failed before it was healthy/);
  assert.ok(service.Events.some((e) => e.Type === 'Rolling Back'));
  assert.ok(fewest >= 2, `healthy copies stayed at Count − Parallelism or more (fewest ${fewest})`);
  await oneContainerPerCopy(manager.url, name);
});

test('a manager killed with -9 mid-rollout finishes it after its restart, each copy running once', { timeout: 180_000 }, async (t) => {
  const cube = lab(t);
  const settings = quick(cube.dir);
  const worker = await cube.worker(`s4-${suffix()}`, settings);
  const first = await cube.manager([worker.address], settings);
  const port = new URL(first.url).port;
  await untilView(first.url, (v) => v.nodes[0]?.State === 'up');
  const name = `web-${suffix()}`;
  await post(`${first.url}/services`, hello(name, 3));
  await untilView(first.url, settled(name, 3, 1));
  await request('PUT', `${first.url}/services/${name}`, hello(name, 3, ['VERSION=2']));
  // Mid-rollout: one slot has its new copy counted, the others not yet.
  await untilView(first.url, (v) => (serviceOf(v, name)?.Deployment?.Healthy ?? 0) >= 1);
  await first.stop('SIGKILL');

  const second = await cube.manager([worker.address], settings, port);
  const view = await untilView(second.url, settled(name, 3, 2), 120_000);
  assert.equal(serviceOf(view, name)!.Deployment?.State, 'succeeded');
  await oneContainerPerCopy(second.url, name);
});

test(
  'a worker killed with -9 mid-rollout: its copies are placed again and the rollout ends with every copy of the new version',
  { timeout: 180_000 },
  async (t) => {
    const cube = lab(t);
    const settings = quick(cube.dir);
    const a = await cube.worker(`s5a-${suffix()}`, settings);
    const b = await cube.worker(`s5b-${suffix()}`, settings);
    const manager = await cube.manager([a.address, b.address], settings);
    await untilView(manager.url, (v) => v.nodes.every((n) => n.State === 'up') && v.nodes.length === 2);
    const name = `web-${suffix()}`;
    await post(`${manager.url}/services`, hello(name, 4));
    await untilView(manager.url, settled(name, 4, 1));
    await request('PUT', `${manager.url}/services/${name}`, hello(name, 4, ['VERSION=2']));
    await untilView(manager.url, (v) => (serviceOf(v, name)?.Deployment?.Healthy ?? 0) >= 1);
    await a.process.stop('SIGKILL');

    const view = await untilView(manager.url, settled(name, 4, 2), 150_000);
    assert.ok(
      copies(view, name).every((c) => c.Worker === b.address),
      'every copy on the worker that is left',
    );
    // The killed worker's containers still run (nobody can reach them, docs/architecture.md §8); the records' own do.
    for (const copy of copies(view, name)) assert.equal(await dockerCli('inspect', '-f', '{{.State.Running}}', copy.ContainerID), 'true', copy.Name);
  },
);
