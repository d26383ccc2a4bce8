// The manager API (docs/spec.md §4), plus GET /events: every change as it happens,
// for the live view, `cube run` and `curl -N`.
import type Router from '@koa/router';
import { isStateName, stateNames, TaskState, type Task } from '../../vocabulary/task.js';
import { sendJsonList } from '../../http/json-list.js';
import { resumeFrom } from '../../http/query.js';
import { cubeHeaders } from '../../http/cube-headers.js';
import { HttpError } from '../../http/errors.js';
import { readJson } from '../../http/json-body.js';
import { openEventStream } from '../../http/sse.js';
import { parseTaskEvent } from '../../task/codec.js';
import { addManagerLogsRoute, type TaskLogsProxy } from './logs-route.js';
import { addManagerVolumeRoutes } from './volumes-route.js';
import { nodeView } from '../views/node-view.js';
import type { ManagerService, TaskQuery } from '../run/service.js';
import type { Services } from '../run/services.js';
import { addServiceRoutes, serviceRoutesHint } from './services-api.js';

export const managerRoutesHint = `the manager serves GET/POST /tasks, GET/DELETE /tasks/{id}, GET /tasks/{id}/logs, ${serviceRoutesHint}, GET /nodes, GET/DELETE /nodes/{name}/volumes, GET /events, GET /log, GET /metrics, POST /gc and the live view at GET /ui`;

/** The largest page: a bigger one is a whole list, which GET /tasks without limit streams. */
const MAX_LIMIT = 10_000;

/** `?name=a,b` (or the parameter repeated): the values, or undefined when absent. */
function listParameter(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim());
  return values.filter((v) => v !== '');
}

/** `?state=`, `?worker=` and `?service=` of GET /tasks. */
function taskQuery(query: Record<string, unknown>): TaskQuery {
  const states = listParameter(query['state'])?.map((s) => s.toLowerCase());
  const wrong = states?.find((s) => !isStateName(s));
  if (wrong !== undefined || states?.length === 0) {
    throw new HttpError(400, `state: ${JSON.stringify(wrong ?? '')} is not a state; expected one or more of ${stateNames.join(', ')}, separated by commas`);
  }
  const workers = listParameter(query['worker']);
  if (workers?.length === 0) throw new HttpError(400, 'worker: expected one or more worker names (as GET /nodes shows them), separated by commas');
  const services = listParameter(query['service']);
  if (services?.length === 0) throw new HttpError(400, 'service: expected one or more service names (as GET /services shows them), separated by commas');
  return {
    ...(states ? { states: new Set(states.filter(isStateName)) } : {}),
    ...(workers ? { workers: new Set(workers) } : {}),
    ...(services ? { services: new Set(services) } : {}),
  };
}

/** `?limit=`: a page size, 1…MAX_LIMIT, or undefined for the whole list. */
function limitParameter(value: unknown, paging: boolean): number | undefined {
  if (value === undefined) return paging ? 500 : undefined;
  const limit = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new HttpError(400, `limit: expected a whole number 1…${MAX_LIMIT} (tasks per page), got ${JSON.stringify(value)}; leave it out to get every task`);
  }
  return limit;
}

/** `?task=`: one task ID. */
function taskParameter(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `task: expected one task ID, got ${JSON.stringify(value)}`);
  return value;
}

export function addManagerRoutes(router: Router, service: ManagerService, services: Services, stopWaitMs: number, logs: TaskLogsProxy): void {
  // Every task the query wants, in the order they came: the whole list
  // streamed, or a page of ?limit=N with the token of the next in Cube-Continue.
  router.get('/tasks', (ctx) => {
    const query = taskQuery(ctx.query);
    const token = ctx.query['continue'];
    if (token !== undefined && typeof token !== 'string') throw new HttpError(400, 'continue: expected one token (the Cube-Continue of the page before)');
    const limit = limitParameter(ctx.query['limit'], token !== undefined);
    ctx.set(cubeHeaders.version, String(service.version()));
    ctx.set(cubeHeaders.pruned, String(service.retention().pruned));
    if (limit === undefined) return sendJsonList(ctx, service.tasks(query));
    const page = service.page(query, limit, token ?? '');
    if (page.next) ctx.set(cubeHeaders.continue, page.next);
    ctx.body = page.tasks;
  });

  router.post('/tasks', async (ctx) => {
    const event = parseTaskEvent(await readJson(ctx));
    const refusal = service.bindRefusal(event.Task);
    if (refusal) throw new HttpError(400, refusal);
    const { task, confirmed } = await service.submit(event.Task, stopWaitMs);
    ctx.status = confirmed ? 201 : 202;
    ctx.body = task;
  });

  router.get('/tasks/:id', (ctx) => {
    ctx.body = service.task(ctx.params['id']!);
  });

  router.delete('/tasks/:id', async (ctx) => {
    const id = ctx.params['id']!;
    // ?forget=true: a finished task leaves every store now, not when retention would take it.
    const forget = ctx.query['forget'];
    if (forget !== undefined && forget !== 'true') throw new HttpError(400, `forget: expected "true" (forget a finished task), got ${JSON.stringify(forget)}`);
    if (forget === 'true') {
      service.forget(id);
      ctx.status = 204;
      return;
    }
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

  // A retention sweep now, on the manager and on every worker (docs/api.md).
  router.post('/gc', (ctx) => {
    const swept = service.gc();
    ctx.body = { Pruned: swept.pruned, Kept: swept.kept, PrunedTotal: swept.total };
  });

  // Every change, as it happens. Without ?since, a snapshot first; with
  // ?since=N (or Last-Event-ID), the task changes after version N instead, or
  // 410 when they are no longer all kept. ?task=ID keeps one task's changes;
  // ?snapshot=live leaves Completed tasks out of the snapshot.
  router.get('/events', (ctx) => {
    const since = resumeFrom(ctx);
    const only = taskParameter(ctx.query['task']);
    const snapshot = ctx.query['snapshot'] ?? 'all';
    if (snapshot !== 'all' && snapshot !== 'live')
      throw new HttpError(400, `snapshot: expected "all" (every task, the default) or "live" (every task not Completed), got ${JSON.stringify(snapshot)}`);
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
      // Service changes carry no version to resume after: the services come as they are now, like the workers.
      stream.send('resumed', { version: service.version(), nodes: service.nodes(), services: services.list() });
      for (const task of missed) if (wanted(task)) stream.send('task.updated', { type: 'task.updated', task }, task.Version);
    } else {
      // ?snapshot=live leaves the Completed tasks out (up to CUBE_RETENTION_MAX of them): GET /tasks?state=completed pages through them.
      const { completed, pruned } = service.retention();
      const one = only === undefined ? undefined : service.find(only);
      const tasks = only !== undefined ? (one ? [one] : []) : snapshot === 'live' ? service.liveTasks() : [...service.tasks()];
      stream.send('snapshot', { version: service.version(), tasks, nodes: service.nodes(), services: services.list(), completed, pruned }, service.version());
    }
    // A stream of one task's changes says nothing of services.
    if (only === undefined) stream.onClose(services.onChange((change) => stream.send(change.type, change)));
    stream.onClose(
      service.onEvent((event) => {
        if (event.type === 'worker.changed') stream.send('node.updated', { node: nodeView(event.worker, service.scheme) });
        else if (event.type === 'worker.removed') stream.send('node.removed', { name: event.name });
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
  addManagerVolumeRoutes(router, service, logs);
  addServiceRoutes(router, services, stopWaitMs);
}
