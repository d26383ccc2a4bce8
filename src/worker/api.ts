// The worker API (docs/spec.md §3), plus GET /events: the stream a manager follows to
// learn of task changes as they happen (docs/architecture.md §2).
import type Router from '@koa/router';
import { readJson } from '../http/json-body.js';
import { openEventStream } from '../http/sse.js';
import { HttpError } from '../http/errors.js';
import { resumeFrom } from '../http/query.js';
import { parseTaskEvent } from '../task/codec.js';
import type { FromWorker } from '../vocabulary/protocol.js';
import { addTaskLogsRoute } from './logs-route.js';
import type { WorkerService } from './service.js';

/** `?placement=`: a placement ID as the manager makes them, or "" when absent. */
function placementParameter(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || !/^[\w.:#@-]{1,256}$/.test(value)) {
    throw new HttpError(400, `placement: expected one placement ID like "k3xz9q.1f" (letters, digits and . : # @ _ -), got ${JSON.stringify(value)}`);
  }
  return value;
}

export const workerRoutesHint = 'the worker serves GET/POST /tasks, GET/DELETE /tasks/{id}, GET /tasks/{id}/logs, GET /stats and GET /events';

/** Adds the worker's routes to `router`. */
export function addWorkerRoutes(router: Router, service: WorkerService, bodyLimit?: number): void {
  router.get('/tasks', (ctx) => {
    ctx.body = service.tasks();
  });

  router.post('/tasks', async (ctx) => {
    const event = parseTaskEvent(await readJson(ctx, bodyLimit));
    const placement = placementParameter(ctx.query['placement']);
    ctx.status = 201;
    // ?placement=P (the manager's runs): run that placement, once; without it, docs/spec.md §1.
    ctx.body = service.run(event.Task, placement);
  });

  router.get('/tasks/:id', (ctx) => {
    ctx.body = service.task(ctx.params['id']!);
  });

  router.delete('/tasks/:id', async (ctx) => {
    // ?placement=P (the manager's stops): only that placement; one this worker never had is refused from now on.
    await service.stop(ctx.params['id']!, placementParameter(ctx.query['placement']));
    ctx.status = 204;
  });

  router.get('/stats', (ctx) => {
    const stats = service.stats();
    if (!stats) throw new HttpError(503, 'the worker has not sampled its stats yet; ask again in a moment');
    ctx.body = stats;
  });

  // A manager's view of this worker: everything now (or, with ?since=N, the
  // changes after version N when they are all still kept), then every change.
  router.get('/events', (ctx) => {
    const since = resumeFrom(ctx);
    const missed = since === undefined ? undefined : service.changesSince(since);
    const stream = openEventStream(ctx);
    const send = (message: FromWorker) => stream.send(message.type, message, message.type === 'task.updated' ? message.task.Version : undefined);
    if (missed) missed.forEach(send);
    else send({ type: 'worker.tasks', worker: service.name, tasks: service.tasks(), at: new Date().toISOString() });
    const stats = service.stats();
    if (stats) send({ type: 'worker.stats', worker: service.name, stats, at: new Date().toISOString() });
    stream.onClose(service.onMessage(send));
  });

  addTaskLogsRoute(router, service);
}
