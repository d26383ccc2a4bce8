// The routes of services (docs/spec.md §9, docs/api.md "Services"): create,
// read, change, scale, roll back and delete a service, and its endpoints.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../../http/errors.js';
import { readJson } from '../../http/json-body.js';
import { parseScale, parseServiceDefinition, serviceName } from '../../service/codec.js';
import type { Services } from '../run/services.js';
import type { ServiceDefinition } from '../../vocabulary/service.js';

export const serviceRoutesHint =
  'GET/POST /services, GET/PUT/DELETE /services/{name}, POST /services/{name}/scale and /rollback, GET /services/{name}/endpoints';

/** The service the path names; a name no service could have is a 404 that says so. */
function named(value: string | undefined): string {
  const problem = serviceName(value, 'name');
  if (problem) throw new HttpError(404, `no service ${JSON.stringify(value)}: ${problem}`);
  return value!;
}

/** A definition read from the body, with binds that no worker allows refused (400, naming --volume-root) as a task's are. */
async function definitionOf(ctx: Context, services: Services, name?: string): Promise<ServiceDefinition> {
  const definition = parseServiceDefinition(await readJson(ctx), name);
  const refusal = services.bindRefusal(definition);
  if (refusal) throw new HttpError(400, refusal);
  return definition;
}

export function addServiceRoutes(router: Router, services: Services, stopWaitMs: number): void {
  router.get('/services', (ctx) => {
    ctx.body = services.list();
  });

  router.post('/services', async (ctx) => {
    const definition = await definitionOf(ctx, services);
    ctx.status = 201;
    ctx.body = await services.create(definition);
  });

  router.get('/services/:name', (ctx) => {
    ctx.body = services.get(named(ctx.params['name']));
  });

  router.put('/services/:name', async (ctx) => {
    const name = named(ctx.params['name']);
    services.get(name); // a 404 before the body is read
    const definition = await definitionOf(ctx, services, name);
    ctx.body = await services.command(name, { kind: 'update', definition });
  });

  router.post('/services/:name/scale', async (ctx) => {
    const name = named(ctx.params['name']);
    services.get(name);
    ctx.body = await services.command(name, { kind: 'scale', count: parseScale(await readJson(ctx)) });
  });

  router.post('/services/:name/rollback', async (ctx) => {
    ctx.body = await services.command(named(ctx.params['name']), { kind: 'rollback' });
  });

  router.delete('/services/:name', async (ctx) => {
    const name = named(ctx.params['name']);
    if (await services.remove(name, stopWaitMs)) {
      ctx.status = 204;
      return;
    }
    ctx.status = 202;
    ctx.body = {
      HTTPStatusCode: 202,
      Message: `service ${name} is deleted and the stops of its copies are stored; a worker has not confirmed them all yet. Cube stops them there as soon as each worker answers`,
    };
  });

  router.get('/services/:name/endpoints', (ctx) => {
    ctx.body = services.endpoints(named(ctx.params['name']));
  });
}
