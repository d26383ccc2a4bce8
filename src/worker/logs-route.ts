// GET /tasks/{id}/logs on the worker: what the task's container wrote, read
// from the engine as the client reads it (docs/api.md). A Failed task's last
// container is kept, so its output can be read; a Completed task's container
// was removed with its output, and the answer says so.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/errors.js';
import type { LogLine } from '../logs/log-line.js';
import { clientGone, logQuery, sendLines } from '../logs/serve.js';
import { RuntimeError } from '../runtime/types.js';
import { TaskState } from '../vocabulary/task.js';
import type { WorkerService } from './service.js';

/** Answers with the logs of task `id` as `service`, the worker that has it, reads them. */
export async function sendTaskLogs(ctx: Context, service: WorkerService, id: string): Promise<void> {
  const query = logQuery(ctx);
  const task = service.task(id);
  if (!service.runtime) throw new HttpError(501, `worker ${service.name} has no container engine to read logs from`);
  if (task.State === TaskState.Completed) {
    throw new HttpError(410, `task ${id} is completed: its container was removed, and its output with it; Cube keeps no logs of a stopped task`);
  }
  if (!task.ContainerID) {
    throw new HttpError(
      409,
      `task ${id} has no container yet (it is ${task.StateName}${task.Reason ? `: ${task.Reason}` : ''}), so nothing to read; ask again once it runs`,
    );
  }
  let lines: AsyncIterable<LogLine>;
  try {
    lines = await service.runtime.logs(task.ContainerID, { follow: query.follow, tail: query.tail, since: query.since, signal: clientGone(ctx) });
  } catch (error) {
    if (!(error instanceof RuntimeError)) throw error;
    throw new HttpError(/is gone from the engine/.test(error.message) ? 404 : 503, `task ${id} on worker ${service.name}: ${error.message}`);
  }
  sendLines(ctx, lines, query.follow);
}

export function addTaskLogsRoute(router: Router, service: WorkerService): void {
  router.get('/tasks/:id/logs', (ctx) => sendTaskLogs(ctx, service, ctx.params['id']!));
}
