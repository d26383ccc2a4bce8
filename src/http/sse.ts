// Server-Sent Events: a long response of `event:`/`data:` blocks, readable
// with `curl -N` and EventSource alike. A comment line every few seconds keeps
// idle proxies from closing it and tells a client the server is alive.
import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

export interface EventStream {
  /** Sends one event; `id` (a version) is what a client resumes from (`?since=` or Last-Event-ID). */
  send(event: string, data: unknown, id?: number): void;
  /** Called once when the client goes away or the server closes the stream. */
  onClose(listener: () => void): void;
  close(): void;
}

export function openEventStream(ctx: Context, keepAliveMs = 10_000): EventStream {
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
  const body = new PassThrough();
  ctx.status = 200;
  ctx.body = body;
  const listeners: (() => void)[] = [];
  let closed = false;
  const keepAlive = setInterval(() => body.write(': keep-alive\n\n'), keepAliveMs);
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    body.end();
    for (const listener of listeners) listener();
  };
  ctx.req.on('close', finish);
  body.write(': connected\n\n');
  return {
    send(event, data, id) {
      if (!closed) body.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(listener) {
      listeners.push(listener);
    },
    close: finish,
  };
}
