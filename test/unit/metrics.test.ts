// What each metric counts (docs/metrics.md), without Docker: the counters
// derived from task histories, the manager's gauges over a real manager actor,
// the HTTP timings through a real Koa app, the runtime's calls, the store's
// transactions and the failed health probes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import Router from '@koa/router';
import type { Registry } from 'prom-client';
import { createApp, listen } from '../../src/http/app.js';
import { silentLog } from '../../src/log.js';
import { ManagerService } from '../../src/manager/run/service.js';
import { measureRuntime } from '../../src/metrics/docker.js';
import { ManagerMetrics } from '../../src/metrics/manager.js';
import { addMetricsRoute, apiMetrics, createRegistry } from '../../src/metrics/registry.js';
import { storeMetrics } from '../../src/metrics/store.js';
import { TaskHistoryCounters } from '../../src/metrics/task-history.js';
import { workerMetrics } from '../../src/metrics/worker.js';
import { MemoryRuntime } from '../../src/runtime/memory.js';
import { MemoryManagerStore } from '../../src/store/manager-store.js';
import { ManagerWrites } from '../../src/store/manager-writes.js';
import { HEALTH_FAILED } from '../../src/vocabulary/channels.js';
import { newTask, type Task, type TaskHistoryEntry } from '../../src/vocabulary/task.js';
import { get } from '../helpers/http.js';
import { startManagerActor } from '../helpers/manager-actor.js';
import { testSettings } from '../helpers/worker.js';

/** The value of one series of a metric, 0 when it has none. */
async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  assert.ok(metric, `${name} is registered`);
  const { values } = await metric.get();
  const series = values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l) && (!('le' in v.labels) || labels['le'] !== undefined));
  return series?.value ?? 0;
}

const entry = (second: number, Type: string): TaskHistoryEntry => ({ Time: `2026-01-01T00:00:${String(second).padStart(2, '0')}Z`, Type, Message: Type });
const record = (placement: string, ...events: TaskHistoryEntry[]): Task => ({
  ...newTask({ ID: 'a', Name: 'a', Image: 'img' }),
  Placement: placement,
  Events: events,
});

test('task histories: each entry is counted once, a restart by the failure before it, a placement by its kind', { timeout: 5_000 }, async () => {
  const registry = createRegistry();
  const counters = new TaskHistoryCounters(registry);
  const started = [entry(1, 'Received'), entry(2, 'Scheduled'), entry(3, 'Started')];
  counters.update(record('p1', ...started));
  counters.update(record('p1', ...started)); // the same record again: nothing new
  assert.equal(await value(registry, 'cube_task_events_total', { type: 'Started' }), 1);
  assert.equal(await value(registry, 'cube_placements_total', { kind: 'new' }), 1);
  const failed = [...started, entry(4, 'Unhealthy'), entry(5, 'Restarting')];
  counters.update(record('p1', ...failed));
  counters.update(record('p1#1', ...failed, entry(6, 'Started'), entry(7, 'Terminated'), entry(7, 'Restarting')));
  assert.equal(await value(registry, 'cube_task_restarts_total', { reason: 'Unhealthy' }), 1);
  assert.equal(await value(registry, 'cube_task_restarts_total', { reason: 'Terminated' }), 1);
  assert.equal(await value(registry, 'cube_task_events_total', { type: 'Started' }), 2);
  assert.equal(await value(registry, 'cube_placements_total', { kind: 'restart' }), 1);
  // A history that kept only its newest entries, none of them seen: all of them are new.
  counters.update(record('p1#1', entry(8, 'Started'), entry(9, 'Terminated')));
  assert.equal(await value(registry, 'cube_task_events_total', { type: 'Terminated' }), 2);
});

test('tasks known before the metrics watched are not counted again; a new one is', { timeout: 5_000 }, async () => {
  const registry = createRegistry();
  const counters = new TaskHistoryCounters(registry);
  counters.baseline([record('p1', entry(1, 'Received'), entry(2, 'Started'))]);
  counters.update(record('p1', entry(1, 'Received'), entry(2, 'Started'), entry(3, 'Terminated')));
  counters.update({ ...record('q1', entry(4, 'Received')), ID: 'b' });
  assert.equal(await value(registry, 'cube_task_events_total', { type: 'Started' }), 0);
  assert.equal(await value(registry, 'cube_task_events_total', { type: 'Terminated' }), 1);
  assert.equal(await value(registry, 'cube_task_events_total', { type: 'Received' }), 1);
  assert.equal(await value(registry, 'cube_placements_total', { kind: 'new' }), 1, 'b is placed; a was before');
});

test("the manager's gauges: tasks by state and workers by liveness, read from its ledger; leadership as told", { timeout: 10_000 }, async (t) => {
  const writes = new ManagerWrites(new MemoryManagerStore(), 'manager store (memory)', silentLog);
  const { actor, say } = startManagerActor({
    workers: ['w1', 'w2'],
    writes,
    heartbeatTtlMs: 1000,
    startedAt: new Date(0).toISOString(),
    statsAt: new Date(0).toISOString(),
  });
  t.after(() => actor.stop());
  const service = new ManagerService(actor, writes);
  const registry = createRegistry();
  let leading = { leading: true, term: 7 };
  const stopStore = storeMetrics(registry, 'manager store');
  const stop = new ManagerMetrics(registry, () => leading).watch(service);
  await service.submit(newTask({ ID: 'a', Name: 'a', Image: 'img' }), 0);
  const placed = service.task('a');
  say({ type: 'task.updated', worker: placed.Worker, task: { ...placed, State: 2, StateName: 'running', Events: [...placed.Events, entry(1, 'Started')] } });
  assert.equal(await value(registry, 'cube_tasks', { state: 'running' }), 1);
  assert.equal(await value(registry, 'cube_tasks', { state: 'pending' }), 0);
  assert.equal(await value(registry, 'cube_task_events_total', { type: 'Started' }), 1);
  assert.equal(await value(registry, 'cube_placements_total', { kind: 'new' }), 1);
  assert.equal(await value(registry, 'cube_workers', { liveness: 'up' }), 2);
  // w2 is heard from; w1 is not, and the TTL passes.
  actor.send({ type: 'worker.stats', worker: 'w2', stats: service.ledger().workers.get('w2')!.stats!, at: new Date(1500).toISOString() });
  actor.send({ type: 'tick', at: new Date(2000).toISOString() });
  assert.equal(await value(registry, 'cube_workers', { liveness: 'down' }), 1);
  assert.equal(await value(registry, 'cube_workers', { liveness: 'up' }), 1);
  assert.equal(await value(registry, 'cube_leader'), 1);
  assert.equal(await value(registry, 'cube_leader_term'), 7);
  const writesTimed = (await registry.getSingleMetric('cube_store_write_duration_seconds')!.get()).values.filter((v) =>
    (v as { metricName?: string }).metricName?.endsWith('_count'),
  );
  assert.ok(
    writesTimed.some((v) => v.labels['mode'] === 'must' && v.value >= 1),
    'the intent of the POST was timed',
  );
  // A follower has no ledger to report.
  leading = { leading: false, term: 0 };
  assert.equal((await registry.getSingleMetric('cube_tasks')!.get()).values.length, 0);
  assert.equal(await value(registry, 'cube_leader'), 0);
  stop();
  stopStore();
});

test("a worker's gauges, failed probes and runtime calls, each counted in its own worker's registry", { timeout: 10_000 }, async () => {
  const registry = createRegistry();
  const other = createRegistry();
  const tasks = [{ ...newTask({ ID: 'a', Name: 'a', Image: 'img' }), StateName: 'running' as const }];
  const stop = workerMetrics(registry, { name: 'w1', liveTasks: () => tasks, finished: () => 2 });
  const stopOther = workerMetrics(other, { name: 'w2', liveTasks: () => [], finished: () => 0 });
  assert.equal(await value(registry, 'cube_worker_tasks', { state: 'running' }), 1);
  assert.equal(await value(registry, 'cube_worker_tasks', { state: 'completed' }), 2);
  channel(HEALTH_FAILED).publish({ worker: 'w1', task: 'a' });
  assert.equal(await value(registry, 'cube_health_check_failures_total'), 1);
  assert.equal(await value(other, 'cube_health_check_failures_total'), 0, 'w2 counts its own probes only');
  stop();
  stopOther();
  channel(HEALTH_FAILED).publish({ worker: 'w1', task: 'a' });
  assert.equal(await value(registry, 'cube_health_check_failures_total'), 1, 'a stopped worker counts no more');

  const runtime = measureRuntime(registry, new MemoryRuntime());
  await runtime.list();
  const calls = (await registry.getSingleMetric('cube_docker_call_duration_seconds')!.get()).values.filter((v) =>
    (v as { metricName?: string }).metricName?.endsWith('_count'),
  );
  assert.equal(calls.find((v) => v.labels['call'] === 'list')?.value, 1);
  await runtime.settle(); // not an engine call: not measured, and still works through the wrapper
  assert.equal(
    calls.find((v) => v.labels['call'] === 'settle'),
    undefined,
  );
});

test('GET /metrics answers in the text format, behind the token; requests are timed by route pattern and code', { timeout: 10_000 }, async (t) => {
  const { registry, measure } = apiMetrics();
  const router = new Router();
  router.get('/tasks/:id', (ctx) => {
    ctx.body = { id: ctx.params['id'] };
  });
  addMetricsRoute(router, registry);
  const app = createApp(router, { settings: testSettings({ token: 'secret' }), role: 'worker', log: silentLog, routesHint: 'test', measure });
  const server = await listen(app, '127.0.0.1', 0);
  t.after(() => server.close());
  const auth = { authorization: 'Bearer secret' };
  assert.equal((await get(`${server.url}/metrics`)).status, 401);
  for (const id of ['x', 'y']) assert.equal((await get(`${server.url}/tasks/${id}`, auth)).status, 200);
  assert.equal((await get(`${server.url}/nowhere`, auth)).status, 404);
  const response = await fetch(`${server.url}/metrics`, { headers: auth });
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  assert.match(text, /^cube_http_request_duration_seconds_count\{route="\/tasks\/:id",method="GET",code="200"\} 2$/m);
  assert.match(text, /^cube_http_request_duration_seconds_count\{route="none",method="GET",code="404"\} 1$/m);
  assert.match(text, /^cube_http_request_duration_seconds_count\{route="none",method="GET",code="401"\} 1$/m);
  assert.match(text, /^cube_nodejs_eventloop_lag_seconds /m);
});
