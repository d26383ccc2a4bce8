// The manager API (docs/spec.md §4), plus GET /events: every change as it happens,
// for the live view, `cube run` and `curl -N`.
import type Router from '@koa/router';
import { TaskState, type Task } from '../vocabulary/task.js';
import { resumeFrom } from '../http/query.js';
import { HttpError } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import { openEventStream } from '../http/sse.js';
import { parseTaskEvent } from '../task/codec.js';
import { addManagerLogsRoute, type TaskLogsProxy } from './logs-route.js';
import { nodeView } from './node-view.js';
import type { ManagerService } from './service.js';

export const managerRoutesHint =
  'the manager serves GET/POST /tasks, GET/DELETE /tasks/{id}, GET /tasks/{id}/logs, GET /nodes, GET /events, GET /log and the live view at GET /ui';

/** `?task=`: one task ID. */
function taskParameter(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `task: expected one task ID, got ${JSON.stringify(value)}`);
  return value;
}

export function addManagerRoutes(router: Router, service: ManagerService, stopWaitMs: number, logs: TaskLogsProxy): void {
  router.get('/tasks', (ctx) => {
    ctx.body = service.tasks();
  });

  router.post('/tasks', async (ctx) => {
    const event = parseTaskEvent(await readJson(ctx));
    const { task, confirmed } = await service.submit(event.Task, stopWaitMs);
    ctx.status = confirmed ? 201 : 202;
    ctx.body = task;
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
    // The stop is stored and will be carried out; the worker has not said so yet.
    const task = service.task(id);
    const why = task.State === TaskState.Completed ? (task.Events.at(-1)?.Message ?? '') : task.Reason;
    ctx.status = 202;
    ctx.body = {
      HTTPStatusCode: 202,
      Message: `stop of task ${id} stored; worker ${task.Worker} has not confirmed it yet${why ? ` (${why})` : ''}. Cube stops it there as soon as the worker answers`,
    };
  });

  router.get('/nodes', (ctx) => {
    ctx.body = service.nodes();
  });

  // Every change, as it happens. Without ?since, a snapshot first; with
  // ?since=N (or Last-Event-ID), the task changes after version N instead, or
  // 410 when they are no longer all kept. ?task=ID keeps one task's changes.
  router.get('/events', (ctx) => {
    const since = resumeFrom(ctx);
    const only = taskParameter(ctx.query['task']);
    const missed = since === undefined ? undefined : service.changesSince(since);
    if (since !== undefined && !missed) {
      throw new HttpError(
        410,
        `cannot resume after version ${since}: changes before ${service.oldestResumable()} are no longer kept. GET /tasks (or open /events without since) and follow from the version it shows`,
      );
    }
    const wanted = (task: Task) => only === undefined || task.ID === only;
    const stream = openEventStream(ctx);
    if (missed) {
      stream.send('resumed', { version: service.version(), nodes: service.nodes() });
      for (const task of missed) if (wanted(task)) stream.send('task.updated', { type: 'task.updated', task }, task.Version);
    } else {
      stream.send('snapshot', { version: service.version(), tasks: service.tasks().filter(wanted), nodes: service.nodes() }, service.version());
    }
    stream.onClose(
      service.onEvent((event) => {
        if (event.type === 'worker.changed') stream.send('node.updated', { node: nodeView(event.worker) });
        else if (event.type === 'task.updated') {
          if (wanted(event.task)) stream.send(event.type, event, event.task.Version);
        } else if (event.type === 'log' && (only === undefined || event.entry.Task === only)) stream.send(event.type, event);
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
