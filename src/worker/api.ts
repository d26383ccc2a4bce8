// The worker API (docs/spec.md §3), plus GET /events: the stream a manager follows to
// learn of task changes as they happen (docs/architecture.md §2).
import type Router from '@koa/router';
import { readJson } from '../http/json-body.js';
import { openEventStream, type EventStream } from '../http/sse.js';
import { HttpError } from '../http/errors.js';
import { resumeFrom, versionParameter } from '../http/query.js';
import { sendJsonList } from '../http/json-list.js';
import { parseTaskEvent } from '../task/codec.js';
import type { FromWorker } from '../vocabulary/protocol.js';
import { addTaskLogsRoute } from './logs-route.js';
import { addVolumeRoutes } from './volumes-route.js';
import type { WorkerService } from './service.js';

/** `?placement=`: a placement ID as the manager makes them, or "" when absent. */
function placementParameter(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || !/^[\w.:#@-]{1,256}$/.test(value)) {
    throw new HttpError(400, `placement: expected one placement ID like "k3xz9q.1f" (letters, digits and . : # @ _ -), got ${JSON.stringify(value)}`);
  }
  return value;
}

export const workerRoutesHint =
  'the worker serves GET/POST /tasks, GET/DELETE /tasks/{id}, GET /tasks/{id}/logs, GET /volumes, DELETE /volumes/{name}, GET /stats, GET /events, GET /metrics and POST /gc';

/** POST /gc's body: nothing, or the placements of finished tasks the manager pruned. */
function forgetList(body: unknown): { id: string; placement: string }[] {
  if (body === undefined) return [];
  const forget = (body as { Forget?: unknown } | null)?.Forget;
  const ok = Array.isArray(forget) && forget.every((f) => typeof f?.ID === 'string' && typeof f?.Placement === 'string');
  if (!ok)
    throw new HttpError(
      400,
      `expected no body, or {"Forget": [{"ID": "…", "Placement": "…"}, …]} (finished tasks to forget), got ${JSON.stringify(body).slice(0, 120)}`,
    );
  return (forget as { ID: string; Placement: string }[]).map((f) => ({ id: f.ID, placement: f.Placement }));
}

/** The answer to a manager's sync, GET /tasks?since=N: {Version, Tasks, Done, Held} (docs/api.md). */
export function syncAnswer(service: WorkerService, since: number) {
  const { version, tasks, done, held } = service.sync(since);
  return { Version: version, Tasks: tasks, Done: done, ...(held ? { Held: held } : {}) };
}

/** How long a stopping worker waits for its goodbye to reach the managers that follow it, at most. */
const GOODBYE_MS = 1000;

/**
 * Adds the worker's routes to `router`. What it returns says goodbye on every
 * event stream a manager follows (`worker.leaving`) and ends them, so the
 * managers can say in words that the worker stopped, not that its stream
 * broke; it resolves once they have the bytes (or after GOODBYE_MS).
 */
export function addWorkerRoutes(router: Router, service: WorkerService): () => Promise<void> {
  const followers = new Set<{ stream: EventStream; ended: Promise<void> }>();
  // Every task, sent as it is read; with ?since=N, what changed after version N
  // (the manager's sync): {Version, Tasks, Done, Held} (docs/api.md).
  router.get('/tasks', (ctx) => {
    const since = versionParameter(ctx.query['since']);
    if (since === undefined) return sendJsonList(ctx, service.tasks());
    ctx.body = syncAnswer(service, since);
  });

  router.post('/tasks', async (ctx) => {
    const event = parseTaskEvent(await readJson(ctx));
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

  router.post('/gc', async (ctx) => {
    const body = ctx.get('content-length') === '' || ctx.get('content-length') === '0' ? undefined : await readJson(ctx);
    const { pruned, kept } = service.gc(forgetList(body));
    ctx.body = { Pruned: pruned, Kept: kept };
  });

  // A manager's view of this worker: everything now (or, with ?since=N, the
  // changes after version N: each one when they are all still kept, else
  // what changed, from the records), then every change.
  router.get('/events', (ctx) => {
    const since = resumeFrom(ctx);
    const missed = since === undefined ? undefined : service.changesSince(since);
    const stream = openEventStream(ctx);
    const send = (message: FromWorker) => stream.send(message.type, message, message.type === 'task.updated' ? message.task.Version : undefined);
    if (missed) missed.forEach(send);
    else send(service.listing(since));
    const stats = service.stats();
    if (stats) send({ type: 'worker.stats', worker: service.name, stats, at: new Date().toISOString() });
    const follower = { stream, ended: new Promise<void>((resolve) => ctx.res.once('close', resolve)) };
    followers.add(follower);
    const unsubscribe = service.onMessage(send);
    stream.onClose(() => {
      unsubscribe();
      followers.delete(follower);
    });
  });

  addTaskLogsRoute(router, service);
  addVolumeRoutes(router, service);

  return async () => {
    const ending = [...followers].map(({ stream, ended }) => {
      stream.send('worker.leaving', { type: 'worker.leaving', worker: service.name, at: new Date().toISOString() });
      stream.close();
      return ended;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(ending), new Promise((resolve) => (timer = setTimeout(resolve, GOODBYE_MS)))]);
    clearTimeout(timer);
  };
}
