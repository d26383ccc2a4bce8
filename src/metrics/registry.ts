// One Prometheus registry per API (docs/metrics.md): the manager's and each
// worker's, never prom-client's global one, so `cube start`, which runs a
// manager and its workers in one process, registers no metric twice. Each
// holds Node's own metrics (event-loop lag, memory, CPU) under `cube_`.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { httpMetrics } from './http.js';

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cube_' });
  return registry;
}

/** An API's registry, and the middleware that times its requests (createApp's `measure`). */
export function apiMetrics(): { registry: Registry; measure: Middleware } {
  const registry = createRegistry();
  return { registry, measure: httpMetrics(registry) };
}

/** GET /metrics: the registry in Prometheus' text format, behind the token like every route. */
export function addMetricsRoute(router: Router, registry: Registry): void {
  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
}
