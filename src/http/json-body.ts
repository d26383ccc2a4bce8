// Reads a request body as JSON, whatever its Content-Type: `curl -d @task.json`
// sends application/x-www-form-urlencoded unless told otherwise, and a user
// should not have to know that. Bodies over the limit are refused while
// streaming, before they are held in memory.
import type { Context } from 'koa';
import { HttpError } from './errors.js';

export const DEFAULT_BODY_LIMIT = 256 * 1024;

export async function readJson(ctx: Context, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    throw new HttpError(400, 'the request body is empty; send a TaskEvent as JSON, like {"Task": {"Image": "strm/helloworld-http"}}');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

const tooLarge = (limit: number) =>
  new HttpError(413, `the request body is larger than ${Math.round(limit / 1024)} KiB; a TaskEvent is much smaller than that`);
