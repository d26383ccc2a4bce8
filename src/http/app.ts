// The Koa app shared by the manager and worker APIs: JSON errors first, then
// the optional bearer token, then the routes, then JSON answers for wrong
// methods (405) and unknown paths (404).
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa, { type Context, type Next } from 'koa';
import type { Log } from '../log.js';
import { HttpError, errorMiddleware, sendError } from './errors.js';

export interface AppOptions {
  /** Paths served without the token: a page shell that holds no data (the live view's). */
  isPublic?: (path: string) => boolean;
  /** The shared secret every request must carry as `Authorization: Bearer …` (CUBE_TOKEN). */
  token: string;
  log: Log;
  /** What to list in the 404 message. */
  routesHint: string;
}

function tokenMiddleware(token: string, isPublic: (path: string) => boolean) {
  const expected = Buffer.from(token);
  return async (ctx: Context, next: Next) => {
    if (isPublic(ctx.path)) return next();
    const given = Buffer.from(/^Bearer (.+)$/i.exec(ctx.get('authorization'))?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpError(
        401,
        given.length === 0
          ? 'this Cube requires a token: send "Authorization: Bearer <token>" (the cube command sends CUBE_TOKEN)'
          : 'the token is wrong: use the value of CUBE_TOKEN that this Cube was started with',
      );
    }
    await next();
  };
}

/** A client that goes away mid-answer (an event stream closed by its reader) is not an error. */
const clientGone = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ECANCELED']);

export function createApp(router: Router, options: AppOptions): Koa {
  const app = new Koa();
  app.on('error', (error: Error & { code?: string }) => {
    if (!clientGone.has(error.code ?? '')) options.log(`HTTP error: ${error.stack ?? error.message}`);
  });
  app.use(errorMiddleware(options.log));
  if (options.token) app.use(tokenMiddleware(options.token, options.isPublic ?? (() => false)));
  app.use(async (ctx, next) => {
    await next();
    if (ctx.body !== undefined) return;
    // What the router left without a body: unknown paths and wrong methods.
    // Routes are added once the service behind them is up: until then, 503.
    if (ctx.status === 404 && router.stack.length === 0) sendError(ctx, 503, 'starting up; ask again in a moment');
    else if (ctx.status === 404) sendError(ctx, 404, `no route ${ctx.method} ${ctx.path}; ${options.routesHint}`);
    if (ctx.status === 405 || ctx.status === 501) {
      sendError(ctx, ctx.status, `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('allow')}`);
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

export interface Listening {
  server: Server;
  host: string;
  port: number;
  url: string;
  /** Stops listening and ends open connections (event streams too), so shutdown never hangs. */
  close(): Promise<void>;
}

export async function listen(app: Koa, host: string, port: number): Promise<Listening> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    host,
    port: bound,
    url: `http://${shown}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
