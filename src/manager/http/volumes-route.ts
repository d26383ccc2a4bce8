// GET /nodes/{name}/volumes and DELETE /nodes/{name}/volumes/{volume} on the
// manager (docs/api.md): a worker's named volumes live on its host, so the
// manager asks that worker (one in this process directly, another over its
// API, as task logs are read). A removal the worker confirms unties the tasks
// that mount that volume from the worker (src/scheduler/filters/volumes.ts).
import type Router from '@koa/router';
import { answerText } from '../../http/answer-body.js';
import { callError } from '../../http/call-error.js';
import { HttpError } from '../../http/errors.js';
import type { WorkerService } from '../../worker/service.js';
import type { ManagerService } from '../run/service.js';
import type { TaskLogsProxy } from './logs-route.js';

const CALL_TIMEOUT_MS = 30_000;

/** A call to worker `name` over its API: its answer's body, or an HttpError that says what went wrong (the worker's own 404 and 409 pass as they are). */
async function callWorker(service: ManagerService, name: string, method: 'GET' | 'DELETE', path: string, token: string): Promise<unknown> {
  const worker = service.ledger().workers.get(name)!;
  let response: Response;
  try {
    response = await fetch(`http://${worker.address}${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (error) {
    const state = worker.state === 'up' ? '' : `; it is ${worker.state}${worker.problem ? ` (${worker.problem})` : ''}`;
    throw new HttpError(
      502,
      `worker ${name} at ${worker.address}, which holds the volumes, cannot be reached (${callError(error)})${state}; ask again once it answers`,
    );
  }
  if (!response.ok) {
    const text = await answerText(response, 2000).catch(() => '');
    let message = text;
    try {
      message = (JSON.parse(text) as { Message?: string }).Message ?? text;
    } catch {
      // not JSON: the text as it is
    }
    const status = response.status === 404 || response.status === 409 ? response.status : 502;
    throw new HttpError(status, `worker ${name} answered ${response.status}: ${message}`);
  }
  return response.status === 204 ? undefined : response.json();
}

export function addManagerVolumeRoutes(router: Router, service: ManagerService, proxy: TaskLogsProxy): void {
  const workerNamed = (name: string): WorkerService | undefined => {
    if (!service.ledger().workers.has(name)) throw new HttpError(404, `no worker ${name}; GET /nodes lists the workers`);
    return proxy.local.find((w) => w.name === name);
  };

  router.get('/nodes/:name/volumes', async (ctx) => {
    const name = ctx.params['name']!;
    const local = workerNamed(name);
    ctx.body = local ? await local.volumes() : await callWorker(service, name, 'GET', '/volumes', proxy.token);
  });

  router.delete('/nodes/:name/volumes/:volume', async (ctx) => {
    const { name, volume } = ctx.params as { name: string; volume: string };
    const local = workerNamed(name);
    if (local) await local.removeVolume(volume);
    else await callWorker(service, name, 'DELETE', `/volumes/${encodeURIComponent(volume)}`, proxy.token);
    service.volumeRemoved(name, volume);
    ctx.status = 204;
  });
}
