// The worker API (docs/spec.md §3), plus GET /events: the stream a manager follows to
// learn of task changes as they happen (docs/architecture.md §2).
import type Router from '@koa/router';
import { readJson } from '../http/json-body.js';
import { openEventStream } from '../http/sse.js';
import { HttpError } from '../http/errors.js';
import { parseTaskEvent } from '../task/codec.js';
import type { FromWorker } from '../vocabulary/protocol.js';
import { addTaskLogsRoute } from './logs-route.js';
import type { WorkerService } from './service.js';

export const workerRoutesHint = 'the worker serves GET/POST /tasks, GET/DELETE /tasks/{id}, GET /tasks/{id}/logs, GET /stats and GET /events';

/** Adds the worker's routes to `router`. */
export function addWorkerRoutes(router: Router, service: WorkerService, bodyLimit?: number): void {
  router.get('/tasks', (ctx) => {
    ctx.body = service.tasks();
  });

  router.post('/tasks', async (ctx) => {
    const event = parseTaskEvent(await readJson(ctx, bodyLimit));
    ctx.status = 201;
    // ?ensure=1 (the manager's resends): run it only if this worker does not have it.
    ctx.body = service.run(event.Task, ctx.query['ensure'] === '1');
  });

  router.get('/tasks/:id', (ctx) => {
    ctx.body = service.task(ctx.params['id']!);
  });

  router.delete('/tasks/:id', async (ctx) => {
    await service.stop(ctx.params['id']!);
    ctx.status = 204;
  });

  router.get('/stats', (ctx) => {
    const stats = service.stats();
    if (!stats) throw new HttpError(503, 'the worker has not sampled its stats yet; ask again in a moment');
    ctx.body = stats;
  });

  // A manager's view of this worker: everything now, then every change.
  router.get('/events', (ctx) => {
    const stream = openEventStream(ctx);
    const send = (message: FromWorker) => stream.send(message.type, message);
    send({ type: 'worker.tasks', worker: service.name, tasks: service.tasks(), at: new Date().toISOString() });
    const stats = service.stats();
    if (stats) send({ type: 'worker.stats', worker: service.name, stats, at: new Date().toISOString() });
    stream.onClose(service.onMessage(send));
  });

  addTaskLogsRoute(router, service);
}
