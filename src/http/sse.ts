// Server-Sent Events: a long response of `event:`/`data:` blocks, readable
// with `curl -N` and EventSource alike. A comment line every few seconds keeps
// idle proxies from closing it and tells a client the server is alive.
//
// Each stream holds at most CUBE_STREAM_BUFFER bytes for its client (beyond
// the first event, the snapshot, which it is always given). A client that
// falls further behind is dropped, like a Kubernetes watch: it gets one last
// event, `stream.dropped`, saying so and naming the last event id it was
// sent, so it can resume with `?since=`; a client that does not take even
// that is cut off after a grace period, so its memory comes back.
// An event written to many streams is encoded once and the same bytes are
// queued on each, so slow readers share what they hold.
import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import { streamBufferOf } from './limits.js';

export interface EventStream {
  /** Sends one event; `id` (the event's place in the server's sequence) lets a client resume after it. */
  send(event: string, data: unknown, id?: number | string): void;
  /** Called once when the client goes away or the server closes the stream. */
  onClose(listener: () => void): void;
  close(): void;
}

/** How long a dropped client gets to read what is queued for it and the last event. */
export const DROP_GRACE_MS = 10_000;

const keepAliveComment = Buffer.from(': keep-alive\n\n');

/** Encoded frames by data object and event name + id: the same event sent to many streams is encoded once. */
const frames = new WeakMap<object, Map<string, Buffer>>();

function frame(event: string, data: unknown, id: number | string | undefined): Buffer {
  const encode = () => Buffer.from(`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`);
  if (typeof data !== 'object' || data === null) return encode();
  const key = `${event}\n${id ?? ''}`;
  let byKey = frames.get(data);
  if (!byKey) frames.set(data, (byKey = new Map()));
  let bytes = byKey.get(key);
  if (!bytes) byKey.set(key, (bytes = encode()));
  return bytes;
}

export function openEventStream(ctx: Context, keepAliveMs = 10_000): EventStream {
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
  const body = new PassThrough();
  ctx.status = 200;
  ctx.body = body;
  const res = ctx.res;
  const limit = streamBufferOf(ctx);
  const listeners: (() => void)[] = [];
  let closed = false;
  let allowance: number | undefined; // the buffer limit, plus the first event's size
  let lastId: number | string | undefined;
  let grace: NodeJS.Timeout | undefined;
  /** Bytes written for this client and not yet taken by its socket: ours, the response's and the socket's. */
  const pending = () => body.writableLength + body.readableLength + res.writableLength;
  const keepAlive = setInterval(() => write(keepAliveComment), keepAliveMs);

  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    body.end();
    for (const listener of listeners) listener();
  };
  ctx.req.on('close', () => {
    clearTimeout(grace);
    finish();
  });

  function write(bytes: Buffer): void {
    if (closed) return;
    if (allowance !== undefined && pending() + bytes.length > allowance) return drop();
    body.write(bytes);
  }

  function drop(): void {
    const behind = pending();
    const resume =
      lastId === undefined
        ? 'reconnect to GET /events: it starts again with a snapshot'
        : `reconnect with GET /events?since=${lastId} to get every event after the last one you were sent`;
    body.write(
      frame('stream.dropped', {
        type: 'stream.dropped',
        reason: `this client read too slowly: ${behind} bytes of events waited for it, more than the ${limit} that CUBE_STREAM_BUFFER allows; ${resume}`,
        lastEventId: lastId ?? null,
      }, undefined),
    );
    finish();
    // The client reads what it was sent and the last event, or is cut off.
    grace = setTimeout(() => res.destroy(), DROP_GRACE_MS);
    grace.unref();
    res.once('finish', () => clearTimeout(grace));
  }

  body.write(Buffer.from(': connected\n\n'));
  return {
    send(event, data, id) {
      const bytes = frame(event, data, id);
      if (allowance === undefined) {
        // The first event (the snapshot) is always sent whole; the limit counts from there.
        allowance = limit + bytes.length + pending();
        if (!closed) body.write(bytes);
      } else write(bytes);
      if (!closed && id !== undefined) lastId = id;
    },
    onClose(listener) {
      listeners.push(listener);
    },
    close: finish,
  };
}
