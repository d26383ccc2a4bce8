// GET /volumes and DELETE /volumes/{name} on a worker (docs/api.md): the named
// volumes it made for its tasks, kept when their tasks stop, removed only when
// someone asks. The manager passes GET/DELETE /nodes/{name}/volumes on to them.
import type Router from '@koa/router';
import type { WorkerService } from './service.js';

export function addVolumeRoutes(router: Router, service: WorkerService): void {
  router.get('/volumes', async (ctx) => {
    ctx.body = await service.volumes();
  });

  router.delete('/volumes/:name', async (ctx) => {
    await service.removeVolume(ctx.params['name']!);
    ctx.status = 204;
  });
}
