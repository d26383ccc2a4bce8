// A follower passes what only the leader can do (commands, the event stream,
// the workers' live state) to the leader and relays its answer, so a client
// may talk to any manager (docs/ha.md). One hop only: a request that was
// passed on once and reaches a manager that does not lead is answered 503, as
// is one that finds no leader or a leader that does not answer. Every answer
// of a manager on etcd names the leader in its Cube-Leader header, and every Cube-*
// header and the status of the leader's answer reach the client as they were.
import { PassThrough, Readable } from 'node:stream';
import type { Context } from 'koa';
import { allCubeHeaders, cubeHeaders } from '../../http/cube-headers.js';
import { HttpError } from '../../http/errors.js';
import { readBodyBytes } from '../../http/json-body.js';
import type { LeaderInfo } from '../views/manager-view.js';
import { callError } from '../../http/call-error.js';

const FORWARDED_BY = cubeHeaders.forwardedBy;

/** Headers a client sends that the leader needs. */
const passedOn = ['authorization', 'content-type', 'accept', 'last-event-id'];
/** Headers of the leader's answer that the client needs: the HTTP ones Cube sets, and every one of Cube's own. */
const passedBack = ['content-type', 'cache-control', 'retry-after', 'x-accel-buffering', 'allow', ...allCubeHeaders];

export interface ForwardOptions {
  /** This manager's name, for the hop header and messages. */
  me: string;
  /** Why there is no leader, when there is none ("" when an election is simply under way). */
  trouble: string;
  /** Limit of a call that is not a stream (a DELETE waits for its container). */
  timeoutMs: number;
  /** How to reach the leader (with this manager's certificate under CUBE_TLS_DIR); default fetch. */
  fetch?: typeof fetch;
}

/** Connection errors after which the leader surely never got the request. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** A 503 after which nothing was done: the client may send the same request again (docs/api.md). */
function nothingDone(ctx: Context): void {
  ctx.set('Retry-After', '1');
  ctx.set(cubeHeaders.retrySafe, 'true');
}

/** Answers the request with the leader's answer, or 503 saying why it cannot. */
export async function forwardToLeader(ctx: Context, leader: LeaderInfo | undefined, options: ForwardOptions): Promise<void> {
  if (ctx.get(FORWARDED_BY)) {
    nothingDone(ctx);
    const why = options.trouble || `the lead moved while ${ctx.get(FORWARDED_BY)} passed the request on`;
    throw new HttpError(503, `manager ${options.me} does not lead any more (${why}); nothing was done. Send the request again in a moment`);
  }
  if (!leader) {
    nothingDone(ctx);
    throw new HttpError(
      503,
      `no manager leads right now (${options.trouble || 'an election is under way'}); nothing was done. Send the request again in a moment`,
    );
  }
  if (leader.name === options.me) {
    nothingDone(ctx);
    throw new HttpError(503, `manager ${options.me} is taking the lead (it reads the state from etcd); nothing was done. Send the request again in a moment`);
  }
  const streaming = ctx.path === '/events' || ctx.get('accept').includes('text/event-stream');
  const body = ctx.method === 'GET' || ctx.method === 'HEAD' ? undefined : await readBodyBytes(ctx);
  const gone = new AbortController();
  ctx.res.once('close', () => gone.abort());
  const headers: Record<string, string> = { [FORWARDED_BY]: options.me };
  for (const name of passedOn) if (ctx.get(name)) headers[name] = ctx.get(name);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${leader.url}${ctx.originalUrl}`, {
      method: ctx.method,
      headers,
      redirect: 'manual',
      signal: streaming ? gone.signal : AbortSignal.any([gone.signal, AbortSignal.timeout(options.timeoutMs)]),
      ...(body === undefined ? {} : { body: new Uint8Array(body) }),
    });
  } catch (error) {
    const why = callError(error);
    const gone = `the leading manager ${leader.name} at ${leader.url} did not answer (${why}); if it is gone, another takes over within CUBE_LEADER_LEASE. `;
    if (NOT_DELIVERED.has(why)) {
      // It never got the request: as safe to send again as when there is no leader.
      nothingDone(ctx);
      throw new HttpError(503, `${gone}Nothing was done. Send the request again in a moment`);
    }
    ctx.set('Retry-After', '1');
    throw new HttpError(
      503,
      `${gone}Whether it carried the request out is unknown: GET /tasks/{id} tells; a DELETE is safe to send again, and so is a POST of a task that is not there yet`,
    );
  }
  if (streaming) ctx.req.socket.setTimeout(0);
  ctx.status = response.status;
  for (const name of passedBack) {
    const value = response.headers.get(name);
    if (value !== null) ctx.set(name, value);
  }
  if (!response.body || response.status === 204) {
    ctx.body = null;
    return;
  }
  // The leader's answer streams through; when either end goes, the other is ended quietly (a stream's client may leave).
  const relayed = new PassThrough();
  const source = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  source.on('error', () => relayed.end());
  source.pipe(relayed);
  ctx.body = relayed;
}
