// The Koa app shared by the manager and worker APIs: its metrics, JSON errors, then
// the browser defences, then (over HTTPS) the client certificate, then the
// optional bearer token, then the routes, then JSON answers for wrong methods
// (405) and unknown paths (404). `listen` serves it with the caps and time
// limits of docs/security.md, over HTTPS when CUBE_TLS_DIR is set.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import Router from '@koa/router';
import Koa, { type Context, type Middleware, type Next } from 'koa';
import { formatDuration } from '../vocabulary/duration.js';
import type { Log } from '../log.js';
import { loadTls, type TlsMaterial } from '../tls/files.js';
import { bodyTooLarge } from './json-body.js';
import { cubeHeaders } from './cube-headers.js';
import { callersOf, requirePeer } from './peer-certificate.js';
import { browserGuard } from './browser-guard.js';
import { HttpError, errorMiddleware, sendError, type ErrorBody } from './errors.js';
import { hostRule, type HostRule } from './hosts.js';
import { setServerSettings, type ServerSettings } from './limits.js';

export interface AppOptions {
  /** Paths served without the token and to other sites: a page shell that holds no data (the live view's). */
  isPublic?: (path: string) => boolean;
  /** The token (CUBE_TOKEN), the allowed hosts, the caps and time limits, the TLS folder. */
  settings: ServerSettings;
  /** Which API this is: its certificate, and whose certificates it takes (a worker: the manager's only). */
  role: 'manager' | 'worker';
  log: Log;
  /** What to list in the 404 message. */
  routesHint: string;
  /** Runs first, around everything else: the HTTP metrics (src/metrics/http.ts), which see every answer's final status. */
  measure?: Middleware;
}

/** What `listen` needs to know of an app made by `createApp`. */
interface Served {
  settings: ServerSettings;
  tls: TlsMaterial | undefined;
  log: Log;
  /** The addresses it listens on, which are names it answers to. */
  hosts: string[];
  rule: HostRule;
}

const served = new WeakMap<Koa, Served>();

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
  const { settings } = options;
  const isPublic = options.isPublic ?? (() => false);
  const state: Served = {
    settings,
    tls: settings.tlsDir ? loadTls(settings.tlsDir, options.role, settings.recordMax) : undefined,
    log: options.log,
    hosts: [],
    rule: hostRule(settings.allowedHosts),
  };
  served.set(app, state);
  setServerSettings(app, settings);
  app.on('error', (error: Error & { code?: string }) => {
    if (!clientGone.has(error.code ?? '')) options.log(`HTTP error: ${error.stack ?? error.message}`);
  });
  // Every answer says which API gave it, errors too: `cube status -m :5555` can tell it reached a worker.
  app.use((ctx, next) => {
    ctx.set(cubeHeaders.role, options.role);
    return next();
  });
  if (options.measure) app.use(options.measure);
  app.use(errorMiddleware(options.log));
  // A body declared larger than CUBE_BODY_MAX is refused on every route before anything reads it, and one a route
  // left unread is not read through after the answer either: the connection goes with it. Reading megabytes nobody
  // wants costs the process their garbage collection (issue 23, bench/event-loop.ts).
  app.use(async (ctx, next) => {
    if (Number(ctx.get('content-length') || 0) > settings.bodyMax) throw bodyTooLarge(settings.bodyMax);
    await next();
    if (!ctx.req.complete) ctx.set('Connection', 'close');
  });
  app.use(browserGuard(() => state.rule, isPublic));
  if (state.tls) app.use(requirePeer((ctx) => callersOf(options.role, ctx.method, ctx.path)));
  if (settings.token) app.use(tokenMiddleware(settings.token, isPublic));
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

/** Refuses time limits that Node would reject with a bare range error, saying which settings to change. */
function checkTimeouts(settings: ServerSettings): void {
  const { headersTimeoutMs: headers, requestTimeoutMs: request } = settings;
  if (request > 0 && headers > request) {
    throw new Error(
      `CUBE_HEADERS_TIMEOUT (${headers} ms) is longer than CUBE_REQUEST_TIMEOUT (${request} ms), which covers headers and body; make the request timeout the longer one`,
    );
  }
}

/**
 * What Node would answer with a bare status line, answered in JSON like every
 * other refusal: requests too slow (the time limits), headers too large, and
 * requests that are not HTTP.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex, settings: ServerSettings): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const [status, reason, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [
          408,
          'Request Timeout',
          `the request did not arrive in time: headers within ${formatDuration(settings.headersTimeoutMs)} (CUBE_HEADERS_TIMEOUT), all of it within ${formatDuration(settings.requestTimeoutMs)} (CUBE_REQUEST_TIMEOUT); send it whole, at once`,
        ]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request headers are larger than 16 KiB; send fewer or smaller headers']
        : [
            400,
            'Bad Request',
            `this is not an HTTP request Cube can read (${error.code ?? error.message}); speak HTTP/1.1${settings.tlsDir ? ' over TLS' : ''}`,
          ];
  const body = JSON.stringify({ HTTPStatusCode: status, Message: message } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function createServerFor(app: Koa, state: Served): Server {
  const { settings, tls } = state;
  checkTimeouts(settings);
  const limits = [settings.headersTimeoutMs, settings.requestTimeoutMs].filter((ms) => ms > 0);
  const options = {
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    // Node looks for expired requests this often (30 s by default): often enough that a limit holds to a quarter.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(...limits, 4000) / 4))),
  };
  // Koa answers every request itself, errors included (the error middleware,
  // then ctx.onerror): the promise of its handler is nobody else's to wait for.
  const handle = app.callback();
  const listener = (request: IncomingMessage, response: ServerResponse) => void handle(request, response);
  const server = tls
    ? // Certificates are asked for, and checked per request (src/http/peer-certificate.ts) so refusals can say why.
      createHttpsServer({ ...options, ...tls, requestCert: true, rejectUnauthorized: false, handshakeTimeout: settings.headersTimeoutMs || 120_000 }, listener)
    : createServer(options, listener);
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
  if (settings.maxConnections > 0) server.maxConnections = settings.maxConnections;
  let warned = 0;
  server.on('drop', () => {
    if (Date.now() - warned < 60_000) return;
    warned = Date.now();
    state.log(`refusing connections: ${settings.maxConnections} are open (CUBE_MAX_CONNECTIONS)`);
  });
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => answerClientError(error, socket, settings));
  // A broken handshake (no TLS, a certificate of another CA refused by the client) is the client's problem.
  server.on('tlsClientError', () => undefined);
  return server;
}

export async function listen(app: Koa, host: string, port: number): Promise<Listening> {
  const state = served.get(app);
  if (!state) throw new Error('listen() serves apps made by createApp()');
  state.hosts.push(host);
  state.rule = hostRule(state.settings.allowedHosts, state.hosts);
  const server = createServerFor(app, state);
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
    url: `${state.tls ? 'https' : 'http'}://${shown}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
