// GET /metrics as Prometheus sees it: a real Prometheus scrapes a manager and
// two workers (real processes, the real engine, a token) every second, and
// what an alert rule would ask of it shows a failing task and a lost worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { removeContainersOf } from '../helpers/docker.js';
import { example } from '../helpers/examples.js';
import { get, post } from '../helpers/http.js';
import { startPrometheus, untilQuery } from '../helpers/prometheus.js';

const token = `metrics-${nanoid(12)}`;
const auth = { authorization: `Bearer ${token}` };
const env = {
  CUBE_TOKEN: token,
  CUBE_STORE: 'memory',
  CUBE_HEARTBEAT_TTL: '1500ms',
  CUBE_HEALTH_INTERVAL: '300ms',
  CUBE_HEALTH_FAILURES: '2',
  CUBE_RESTART_DELAY: '100ms',
  CUBE_RESTART_LIMIT: '1',
};

test('Prometheus scrapes a cluster with a token: a failing task and a lost worker show up', { timeout: 120_000 }, async (t) => {
  const names = [1, 2].map((i) => `metrics-${i}-${nanoid(5)}`);
  const processes: CubeProcess[] = [];
  t.after(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    for (const name of names) await removeContainersOf(name);
  });
  for (const name of names) processes.push(await spawnCube(['worker', '--port', '0', '--name', name], env));
  const [one, two] = processes as [CubeProcess, CubeProcess];
  const addresses = processes.map((w) => w.url.replace('http://', ''));
  const manager = await spawnCube(['manager', '--port', '0', '--workers', addresses.join(','), '--scheduler', 'roundrobin'], env);
  processes.push(manager);

  // Without the token, /metrics is refused like every other route.
  assert.equal((await get(`${manager.url}/metrics`)).status, 401);
  assert.equal((await get(`${one.url}/metrics`)).status, 401);

  const prometheus = await startPrometheus(
    [
      { name: 'cube-manager', targets: [manager.url.replace('http://', '')] },
      { name: 'cube-worker', targets: addresses },
    ],
    token,
  );
  t.after(() => prometheus.stop());
  await untilQuery(prometheus, 'up', (r) => r.length === 3 && r.every((s) => s.value === 1));
  await untilQuery(prometheus, 'cube_workers{liveness="up"}', (r) => r[0]?.value === 2);

  // A task whose health check always fails (docs/examples/unhealthy.json): probes fail, it restarts once, then stays Failed.
  const unhealthy = example('unhealthy.json') as { Task: Partial<Task> };
  const placed = await post<Task>(`${manager.url}/tasks`, { Task: { ...unhealthy.Task, Name: `unhealthy-${nanoid(5)}` } }, auth);
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  await untilQuery(prometheus, 'cube_tasks{state="failed"}', (r) => r[0]?.value === 1, 60_000);
  const restarts = await untilQuery(prometheus, 'cube_task_restarts_total{reason="Unhealthy"}', (r) => r[0]?.value === 1);
  assert.equal(restarts[0]!.metric['job'], 'cube-manager');
  const probes = await untilQuery(prometheus, 'sum(cube_health_check_failures_total)', (r) => (r[0]?.value ?? 0) >= 4);
  t.diagnostic(`${probes[0]!.value} failed probes`);
  await untilQuery(prometheus, 'cube_task_events_total{type="Not Restarting"}', (r) => r[0]?.value === 1);
  await untilQuery(prometheus, 'sum(cube_placements_total)', (r) => (r[0]?.value ?? 0) >= 2);
  await untilQuery(prometheus, 'sum(cube_docker_call_duration_seconds_count{call="start"})', (r) => (r[0]?.value ?? 0) >= 2);
  await untilQuery(prometheus, 'cube_http_request_duration_seconds_count{route="/tasks",method="POST",code="201"}', (r) => r[0]?.value === 1);

  // A worker killed with -9: the manager marks it down past CUBE_HEARTBEAT_TTL, and Prometheus loses the target.
  await two.stop('SIGKILL');
  await untilQuery(prometheus, 'cube_workers{liveness="down"}', (r) => r[0]?.value === 1);
  await untilQuery(prometheus, 'cube_workers{liveness="up"}', (r) => r[0]?.value === 1);
  await untilQuery(prometheus, `up{instance="${addresses[1]}"}`, (r) => r[0]?.value === 0);
  const views = (await get<{ Name: string; State: string }[]>(`${manager.url}/nodes`, auth)).body;
  assert.equal(views.find((n) => n.Name === addresses[1])?.State, 'down');
});
