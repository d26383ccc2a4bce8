// Every error answer is JSON (docs/spec.md §1): {"HTTPStatusCode": 400, "Message": "…"},
// with a message that says what was wrong and what to do. Unexpected errors
// are logged in full and answered with a 500 that does not leak internals.
import type { Context, Next } from 'koa';
import type { Log } from '../log.js';
import { ValidationError } from '../task/codec.js';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  HTTPStatusCode: number;
  Message: string;
}

export function sendError(ctx: Context, status: number, message: string): void {
  ctx.status = status;
  ctx.body = { HTTPStatusCode: status, Message: message } satisfies ErrorBody;
  // A refusal before the body was read: the connection goes, rather than waiting for a body nobody reads.
  if (!ctx.req.complete) ctx.set('Connection', 'close');
}

export function errorMiddleware(log: Log) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError) return sendError(ctx, error.status, error.message);
      if (error instanceof ValidationError) return sendError(ctx, 400, error.message);
      const status = (error as { status?: number }).status;
      // Errors from Koa and the router (405, 501) carry a status and a safe message.
      if (status && status >= 400 && status < 500) return sendError(ctx, status, (error as Error).message);
      log(`${ctx.method} ${ctx.path} failed: ${(error as Error).stack ?? String(error)}`);
      sendError(ctx, 500, `internal error while handling ${ctx.method} ${ctx.path}; the server log has the details`);
    }
  };
}
