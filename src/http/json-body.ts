// Reads a request body as JSON, whatever its Content-Type: `curl -d @task.json`
// sends application/x-www-form-urlencoded unless told otherwise, and a user
// should not have to know that. Bodies over CUBE_BODY_MAX are refused while
// streaming, before they are held in memory; a body that does not arrive
// within CUBE_BODY_TIMEOUT is answered 408 and its connection closed, so a
// client that stalls halfway holds nothing for long.
import type { Context } from 'koa';
import { formatDuration } from '../vocabulary/duration.js';
import { HttpError } from './errors.js';
import { bodyMaxOf, bodyTimeoutOf } from './limits.js';

/** The request body's bytes, at most CUBE_BODY_MAX of them (one declared larger is refused before: src/http/app.ts), within CUBE_BODY_TIMEOUT. */
export async function readBodyBytes(ctx: Context): Promise<Buffer> {
  return Buffer.concat(await readBody(ctx, bodyMaxOf(ctx), bodyTimeoutOf(ctx)));
}

export async function readJson(ctx: Context): Promise<unknown> {
  const text = (await readBodyBytes(ctx)).toString('utf8');
  if (text.trim() === '') {
    throw new HttpError(400, 'the request body is empty; send a TaskEvent as JSON, like {"Task": {"Image": "strm/helloworld-http"}}');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The body's chunks, or an HttpError (413, 408) once it is too large or too slow; either way the connection is closed after the answer. */
function readBody(ctx: Context, limit: number, timeoutMs: number): Promise<Buffer[]> {
  const req = ctx.req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer =
      timeoutMs > 0
        ? setTimeout(
            () => fail(new HttpError(408, `the request body did not arrive within ${formatDuration(timeoutMs)} (CUBE_BODY_TIMEOUT); send it whole, at once`)),
            timeoutMs,
          )
        : undefined;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const fail = (error: Error) => {
      done();
      req.pause(); // what is left of the body is not read: the error answer closes the connection
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(bodyTooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks);
    };
    const onError = (error: Error) => fail(error);
    const onClose = () => fail(new HttpError(400, 'the client closed the connection before sending the whole body'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

export const bodyTooLarge = (limit: number) =>
  new HttpError(
    413,
    `the request body is larger than ${limit % 1024 === 0 ? `${limit / 1024} KiB` : `${limit} bytes`} (CUBE_BODY_MAX); a TaskEvent is much smaller than that`,
  );
