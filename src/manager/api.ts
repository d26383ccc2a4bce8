// The manager API (docs/spec.md §4), plus GET /events: every change as it happens,
// for the live view, `cube run` and `curl -N`.
import type Router from '@koa/router';
import { HttpError } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import { openEventStream } from '../http/sse.js';
import { parseTaskEvent } from '../task/codec.js';
import { addManagerLogsRoute, type TaskLogsProxy } from './logs-route.js';
import { nodeView, type ManagerService } from './service.js';

export const managerRoutesHint = 'the manager serves GET/POST /tasks, GET/DELETE /tasks/{id}, GET /tasks/{id}/logs, GET /nodes, GET /events, GET /log and the live view at GET /ui';

export function addManagerRoutes(router: Router, service: ManagerService, stopWaitMs: number, logs: TaskLogsProxy): void {
  router.get('/tasks', (ctx) => {
    ctx.body = service.tasks();
  });

  router.post('/tasks', async (ctx) => {
    const event = parseTaskEvent(await readJson(ctx));
    ctx.status = 201;
    ctx.body = service.submit(event.Task);
  });

  router.get('/tasks/:id', (ctx) => {
    ctx.body = service.task(ctx.params['id']!);
  });

  router.delete('/tasks/:id', async (ctx) => {
    const id = ctx.params['id']!;
    if (await service.stop(id, stopWaitMs)) {
      ctx.status = 204;
      return;
    }
    // The stop is recorded and will be carried out; the worker has not said so yet.
    const task = service.task(id);
    ctx.status = 202;
    ctx.body = {
      HTTPStatusCode: 202,
      Message: `stop of task ${id} requested; worker ${task.Worker} has not confirmed it yet${task.Reason ? ` (${task.Reason})` : ''}. Cube stops it as soon as the worker answers`,
    };
  });

  router.get('/nodes', (ctx) => {
    ctx.body = service.nodes();
  });

  router.get('/events', (ctx) => {
    const stream = openEventStream(ctx);
    stream.send('snapshot', { tasks: service.tasks(), nodes: service.nodes() });
    stream.onClose(
      service.onEvent((event) => {
        if (event.type === 'worker.changed') stream.send('node.updated', { node: nodeView(event.worker) });
        else stream.send(event.type, event);
      }),
    );
  });

  router.get('/log', (ctx) => {
    const limit = Number(ctx.query['limit'] ?? 100);
    if (!Number.isInteger(limit) || limit < 1) throw new HttpError(400, 'limit: expected a whole number ≥ 1');
    ctx.body = service.log().slice(-limit);
  });

  addManagerLogsRoute(router, service, logs);
}
