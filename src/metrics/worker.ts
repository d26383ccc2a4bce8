// A worker's metrics (docs/metrics.md): its tasks by state, read when
// Prometheus scrapes, and the failed probes of its health checks, which the
// health-check actor publishes (src/worker/health-check.ts) for whoever listens.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter, type Registry } from 'prom-client';
import { stateNames, type Task } from '../vocabulary/task.js';
import { HEALTH_FAILED, type HealthFailed } from '../vocabulary/channels.js';
import { countsGauge } from './counts.js';
import { storeMetrics } from './store.js';

/** What the metrics read of a worker (src/worker/service.ts's WorkerService). */
export interface WorkerSource {
  readonly name: string;
  liveTasks(): Task[];
  finished(): number;
}

/** Registers a worker's metrics, its store's too; returns the function that stops counting (the worker stops). */
export function workerMetrics(registry: Registry, source: WorkerSource): () => void {
  countsGauge(
    registry,
    'cube_worker_tasks',
    'Tasks this worker holds, by state (StateName); completed counts the finished tasks it still keeps.',
    'state',
    stateNames,
    () => ({ values: source.liveTasks().map((task) => task.StateName), more: { completed: source.finished() } }),
  );
  const failures = new Counter({
    name: 'cube_health_check_failures_total',
    help: "Health-check probes of this worker's tasks that failed (a task fails once CUBE_HEALTH_FAILURES of them fail in a row).",
    registers: [registry],
  });
  const listener = (message: unknown) => {
    if ((message as HealthFailed).worker === source.name) failures.inc();
  };
  subscribe(HEALTH_FAILED, listener);
  const stopStore = storeMetrics(registry, `worker ${source.name} store`);
  return () => {
    unsubscribe(HEALTH_FAILED, listener);
    stopStore();
  };
}
