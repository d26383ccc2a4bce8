// How long each request of an API took, by route (the router's pattern, never
// the path, so IDs do not make new series), method and status code.
import type { Middleware } from 'koa';
import { Histogram, type Registry } from 'prom-client';

/** The route of a request no route answered: unknown paths, and those refused before routing (401, 403, 413). */
export const NO_ROUTE = 'none';

export function httpMetrics(registry: Registry): Middleware {
  const durations = new Histogram({
    name: 'cube_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, until its headers are sent (an event stream counts until it opens), by route pattern, method and status code.',
    labelNames: ['route', 'method', 'code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // First of all the middleware: it sees the status that the error middleware answered with.
  return async (ctx, next) => {
    const end = durations.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      end({ route: typeof route === 'string' ? route : NO_ROUTE, method: ctx.method, code: String(ctx.status) });
    }
  };
}
