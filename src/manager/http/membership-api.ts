// The membership routes of the manager API (docs/api.md, "Workers that join"):
// POST /nodes (a worker joins, or renews), POST /nodes/{name}/drain (and
// DELETE of it, which ends the drain), POST /nodes/{name}/labels and DELETE /nodes/{name}.
import type Router from '@koa/router';
import { parseHostPort } from '../../config/host-port.js';
import { cubeHeaders } from '../../http/cube-headers.js';
import { HttpError } from '../../http/errors.js';
import { readJson } from '../../http/json-body.js';
import { describe, isObject } from '../../task/codec.js';
import type { Registry } from '../run/registry.js';
import { labelsProblem, type LabelEdits } from '../../vocabulary/labels.js';

const NAME = /^[a-zA-Z0-9_.:[\]-]{1,253}$/;

/** A join: {"Address": "host:port", "Name": "…"}; the name defaults to the address. */
export function readJoin(body: unknown): { name: string; address: string } {
  if (!isObject(body)) throw new HttpError(400, `expected {"Address": "host:port", "Name": "…"}, got ${describe(body)}`);
  const address = body['Address'];
  if (typeof address !== 'string' || !parseHostPort(address)) {
    throw new HttpError(400, `Address: expected the worker's API as host:port (like 10.0.0.7:5555), got ${describe(address)}`);
  }
  const name = body['Name'] ?? address;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new HttpError(400, `Name: expected a worker name (letters, digits, . _ : - [ ]; at most 253), got ${describe(name)}`);
  }
  return { name, address };
}

/** Label edits: {"zone": "c", "disk": null}, a value sets a label and null removes it. */
export function readLabelEdits(body: unknown): LabelEdits {
  const problem = labelsProblem(body, 'body', true);
  if (problem) throw new HttpError(400, `${problem}; send {"key": "value"} to set a label, {"key": null} to remove one`);
  if (Object.keys(body as object).length === 0)
    throw new HttpError(400, 'body: no labels to change; send {"key": "value"} to set a label, {"key": null} to remove one');
  return body as LabelEdits;
}

export function addMembershipRoutes(router: Router, registry: Registry): void {
  router.post('/nodes', async (ctx) => {
    const { name, address } = readJoin(await readJson(ctx));
    const { node, joined } = await registry.join(name, address);
    ctx.status = joined ? 201 : 200;
    // How long the registration lasts (ms): the worker renews it well within.
    ctx.set(cubeHeaders.joinTtl, String(registry.joinTtlMs));
    ctx.set(cubeHeaders.cluster, registry.cluster);
    ctx.body = node;
  });

  router.post('/nodes/:name/drain', async (ctx) => {
    ctx.body = await registry.drain(ctx.params['name']!);
  });

  router.delete('/nodes/:name/drain', async (ctx) => {
    ctx.body = await registry.undrain(ctx.params['name']!);
  });

  router.post('/nodes/:name/labels', async (ctx) => {
    ctx.body = await registry.label(ctx.params['name']!, readLabelEdits(await readJson(ctx)));
  });

  router.delete('/nodes/:name', async (ctx) => {
    await registry.remove(ctx.params['name']!);
    ctx.status = 204;
  });
}
