// GET /tasks/{id}/logs on the manager: the logs are on the worker that runs
// the task, so the manager reads them from there and passes each line on as
// the client takes it (a worker in this process directly, another over its
// API). When that worker is gone or cannot be reached, the answer says so,
// and where else the output can be read.
import { Readable } from 'node:stream';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { answerText } from '../../http/answer-body.js';
import { HttpError } from '../../http/errors.js';
import { jsonLineMax, logQueryString, readLogLines, type LogLine } from '../../logs/log-line.js';
import { clientGone, logQuery, sendLines } from '../../logs/serve.js';
import { sendTaskLogs } from '../../worker/logs-route.js';
import { TaskState } from '../../vocabulary/task.js';
import type { WorkerService } from '../../worker/service.js';
import { callError } from '../../http/call-error.js';
import type { ManagerService } from '../run/service.js';

export interface TaskLogsProxy {
  /** Workers in this process: their logs are read without HTTP. */
  local: readonly WorkerService[];
  /** The bearer token workers expect (CUBE_TOKEN). */
  token: string;
  /** Bytes of one line of output (CUBE_LOG_LINE_MAX): a worker's NDJSON line is read up to the JSON of such a line. */
  lineMax: number;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** The lines of a worker's NDJSON answer, each checked; a line that is not a log line ends the answer. */
async function* checkedLines(body: ReadableStream<Uint8Array>, worker: string, signal: AbortSignal, lineMax: number): AsyncGenerator<LogLine> {
  try {
    yield* readLogLines(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), `worker ${worker}`, jsonLineMax(lineMax));
  } catch (error) {
    if (signal.aborted) return;
    // The worker cut the answer (it stopped, or lost its engine): the output ends here.
    if (error instanceof TypeError || /terminated|ECONNRESET|aborted/i.test(`${(error as Error).message} ${(error as { code?: string }).code}`)) return;
    throw error;
  }
}

async function fromRemote(ctx: Context, service: ManagerService, id: string, workerName: string, proxy: TaskLogsProxy): Promise<void> {
  const query = logQuery(ctx);
  const worker = service.ledger().workers.get(workerName);
  if (!worker) {
    throw new HttpError(
      502,
      `task ${id} was placed on worker ${workerName}, which this manager no longer knows (it is not in --workers); its logs are on that worker's host: docker logs with the task's Name`,
    );
  }
  const signal = clientGone(ctx);
  const connect = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(`http://${worker.address}/tasks/${encodeURIComponent(id)}/logs${logQueryString(query)}`, {
      headers: proxy.token ? { authorization: `Bearer ${proxy.token}` } : {},
      signal: AbortSignal.any([signal, connect]),
    });
  } catch (error) {
    const state = worker.state === 'up' ? '' : `; it is ${worker.state}${worker.problem ? ` (${worker.problem})` : ''}`;
    throw new HttpError(
      502,
      `worker ${workerName} at ${worker.address}, which has task ${id}, cannot be reached (${callError(error)})${state}; its logs can be read once it answers again`,
    );
  }
  if (!response.ok || !response.body) {
    const message = await answerText(response, 500).catch(() => '');
    const status = response.status >= 500 || response.status === 401 ? 502 : response.status;
    throw new HttpError(status, `worker ${workerName} answered ${response.status}: ${message}`);
  }
  sendLines(ctx, checkedLines(response.body, workerName, signal, proxy.lineMax), query.follow);
}

export function addManagerLogsRoute(router: Router, service: ManagerService, proxy: TaskLogsProxy): void {
  router.get('/tasks/:id/logs', async (ctx) => {
    const id = ctx.params['id']!;
    logQuery(ctx); // a bad query is a 400 whatever the task
    const task = service.task(id);
    if (task.State === TaskState.Completed) {
      throw new HttpError(410, `task ${id} is completed: its container was removed, and its output with it; Cube keeps no logs of a stopped task`);
    }
    if (!task.Worker) {
      throw new HttpError(
        409,
        `task ${id} is not on a worker (it is ${task.StateName}${task.Reason ? `: ${task.Reason}` : ''}), so it has no container and no output yet`,
      );
    }
    const local = proxy.local.find((w) => w.name === task.Worker);
    if (local) return sendTaskLogs(ctx, local, id);
    return fromRemote(ctx, service, id, task.Worker, proxy);
  });
}
