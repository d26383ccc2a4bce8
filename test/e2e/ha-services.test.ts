// A service on several managers (docs/ha.md, docs/spec.md §9), with real
// processes: etcd, three `cube manager`s, a `cube worker --join`, real Docker.
// The leader is killed with -9 in the middle of a rolling update; the manager
// that leads next resumes the service from etcd and finishes the rollout,
// each copy running once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customAlphabet } from 'nanoid';
import type { Service } from '../../src/vocabulary/service.js';
import type { Task } from '../../src/vocabulary/task.js';
import { spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { removeContainersOf, runningCopiesOf, untilEngine } from '../helpers/docker.js';
import { managerEnvOn, startEtcd } from '../helpers/etcd.js';
import { get, request } from '../helpers/http.js';
import { untilView, type ManagerView } from '../helpers/watch.js';

const suffix = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 6);

const hello = (name: string, env: string[] = []) => ({
  Name: name,
  Count: 3,
  Task: { Image: 'strm/helloworld-http', ExposedPorts: { '80/tcp': {} }, HealthCheck: '/', Env: env },
  Update: { Parallelism: 1, MinHealthy: '1s', HealthyDeadline: '60s' },
  ShutdownDelay: '200ms',
});

const settled = (name: string, version: number) => (v: ManagerView) => {
  const service = v.services.find((s) => s.Name === name);
  const live = v.tasks.filter((t) => t.Service === name && t.State < 3);
  return (
    service?.StateName === 'stable' && service.Version === version && live.length === 3 && live.every((t) => t.State === 2 && t.ServiceVersion === version)
  );
};

/**
 * Follows the cluster through `url` until `done` holds: a follower passes its
 * event stream on from the leader, and the stream ends when that leader does;
 * then it is opened again, and goes to whoever leads next.
 */
async function acrossLeaders(url: string, done: (v: ManagerView) => boolean, timeoutMs: number): Promise<ManagerView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await untilView(url, done, Math.max(1000, deadline - Date.now()));
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      // No leader yet (503), or the stream ended with its leader: the next election answers soon.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

test('the leader killed with -9 mid-rollout: the next leader finishes it from etcd, each copy running once', { timeout: 240_000 }, async (t) => {
  const etcd = await startEtcd(1);
  const processes: CubeProcess[] = [];
  const worker = `has-${suffix()}`;
  t.after(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await removeContainersOf(worker);
    await etcd.stop();
  });
  const settings = managerEnvOn(etcd, {
    CUBE_ETCD_TIMEOUT: '1s',
    CUBE_HEARTBEAT_TTL: '6s',
    CUBE_RECONCILE_INTERVAL: '2s',
    CUBE_HEALTH_INTERVAL: '300ms',
  });
  for (let i = 0; i < 3; i++) processes.push(await spawnCube(['manager', '--port', '0'], settings));
  const join = processes.map((m) => m.url.replace('http://', '')).join(',');
  processes.push(await spawnCube(['worker', '--port', '0', '--name', worker, '--join', join], { ...settings, CUBE_STORE: 'sqlite' }));
  const any = processes[0]!.url;
  await untilView(any, (v) => v.nodes.some((n) => n.Name === worker && n.State === 'up'), 60_000);

  const name = `web-${suffix()}`;
  const created = await request<Service>('POST', `${any}/services`, hello(name));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await untilView(any, settled(name, 1), 90_000);

  const leaderUrl = (await get(`${any}/nodes`)).headers.get('cube-leader')!;
  const leader = processes.find((p) => p.url === leaderUrl);
  assert.ok(leader, `the leader ${leaderUrl} is one of ours`);
  const put = await request<Service>('PUT', `${leaderUrl}/services/${name}`, hello(name, ['VERSION=2']));
  assert.equal(put.status, 200);
  await untilView(leaderUrl, (v) => (v.services.find((s) => s.Name === name)?.Deployment?.Healthy ?? 0) >= 1, 60_000);
  await leader.stop('SIGKILL');

  // The others: one of them leads once the old leader's lease runs out, and finishes the rollout.
  const follower = processes.slice(0, 3).find((p) => p !== leader)!;
  const view = await acrossLeaders(follower.url, settled(name, 2), 150_000);
  assert.equal(view.services.find((s) => s.Name === name)!.Deployment?.State, 'succeeded');
  const tasks = (await get<Task[]>(`${follower.url}/tasks?service=${name}`)).body;
  await untilEngine(
    async () => (await Promise.all(tasks.map(async (task) => (await runningCopiesOf(task.ID)).length === (task.State === 2 ? 1 : 0)))).every(Boolean),
    30_000,
    'one running container per Running copy, none for the others',
  );
});
