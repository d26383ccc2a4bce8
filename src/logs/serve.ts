// Answers a logs request with NDJSON lines as they are read: the response is a
// stream that pulls the next line only when the client has taken the last
// (backpressure), and reading stops when the client goes away.
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import { HttpError } from '../http/errors.js';
import { LogQueryError, NDJSON, parseLogQuery, type LogLine, type LogQuery } from './log-line.js';

/** ?follow, ?tail and ?since, or a 400 that says how to write them. */
export function logQuery(ctx: Context): LogQuery {
  try {
    return parseLogQuery(ctx.query);
  } catch (error) {
    if (error instanceof LogQueryError) throw new HttpError(400, error.message);
    throw error;
  }
}

/** Aborted when the client goes away, so the reading behind the answer stops. */
export function clientGone(ctx: Context): AbortSignal {
  const controller = new AbortController();
  ctx.req.on('close', () => controller.abort());
  ctx.res.on('close', () => controller.abort());
  return controller.signal;
}

async function* ndjson(lines: AsyncIterable<LogLine>): AsyncGenerator<string> {
  for await (const line of lines) yield `${JSON.stringify(line)}\n`;
}

/** Sends the lines as the answer's body. A followed answer may stay open for hours. */
export function sendLines(ctx: Context, lines: AsyncIterable<LogLine>, follow: boolean): void {
  if (follow) ctx.req.socket.setTimeout(0);
  ctx.status = 200;
  ctx.type = NDJSON;
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = Readable.from(ndjson(lines), { objectMode: false, highWaterMark: 16 * 1024 });
  // The answer has begun even if the container is quiet: a client waiting for headers would give up.
  ctx.flushHeaders();
}
