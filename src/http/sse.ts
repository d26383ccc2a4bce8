// Server-Sent Events: a long response of `event:`/`data:` blocks, readable
// with `curl -N` and EventSource alike. A comment line every few seconds keeps
// idle proxies from closing it and tells a client the server is alive.
//
// Backpressure (docs/security.md): the response is a stream that is given
// bytes only as fast as the client takes them. Events wait in a queue, and
// each stream holds at most CUBE_STREAM_BUFFER bytes of live events (the
// catch-up it asked for, a snapshot or a replay, is not counted); a client that
// falls further behind is dropped, like a Kubernetes watch: it gets one last
// event, `stream.dropped`, saying so and naming the last event id it was sent,
// so it can resume with `?since=`. A client that does not take even that is
// cut off after DROP_GRACE_MS, so what it held comes back.
// Memory stays small however many clients lag: an event sent to many streams
// is encoded once and the same bytes wait in every queue, and an event that
// holds lists (a snapshot of every task) is encoded an element at a time, as
// its client takes it, from records that are never changed in place.
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import { streamBufferOf } from './limits.js';

export interface EventStream {
  /** Sends one event; `id` (the event's place in the server's sequence) lets a client resume after it. Data must not be changed once sent. */
  send(event: string, data: unknown, id?: number | string): void;
  /** Called once when the client goes away or the server closes the stream. */
  onClose(listener: () => void): void;
  close(): void;
}

/** How long a dropped client gets to read what was queued for it and the last event. */
export const DROP_GRACE_MS = 10_000;

const keepAliveComment = Buffer.from(': keep-alive\n\n');

const head = (event: string, id: number | string | undefined) => `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: `;

/**
 * Encoded frames of this turn of the event loop, by data object, then by event
 * name and id: an event is sent to every stream in the same turn, so it is
 * encoded once. Cleared after the turn, so the cache holds nothing that the
 * server keeps for other reasons (the changes kept for ?since=).
 */
let frames: Map<object, Map<string, Buffer>> | undefined;

function frame(event: string, data: unknown, id: number | string | undefined): Buffer {
  const encode = () => Buffer.from(`${head(event, id)}${JSON.stringify(data)}\n\n`);
  if (typeof data !== 'object' || data === null) return encode();
  if (!frames) {
    frames = new Map();
    setImmediate(() => (frames = undefined));
  }
  const key = `${event}\n${id ?? ''}`;
  let byKey = frames.get(data);
  if (!byKey) frames.set(data, (byKey = new Map()));
  let bytes = byKey.get(key);
  if (!bytes) byKey.set(key, (bytes = encode()));
  return bytes;
}

/** True for data with lists in it (a snapshot): encoded piece by piece rather than whole. */
const holdsLists = (data: unknown): data is Record<string, unknown> =>
  typeof data === 'object' && data !== null && !Array.isArray(data) && Object.values(data).some((v) => Array.isArray(v) && v.length > 1);

/**
 * Encoded list elements by object: a record in many snapshots (the same task,
 * unchanged) is encoded once. Started afresh past ELEMENT_CACHE bytes, so it
 * never holds much more than the records of one snapshot.
 */
let elements = new WeakMap<object, Buffer>();
let elementBytes = 0;
const ELEMENT_CACHE = 16 * 2 ** 20;

function element(value: unknown): Buffer | string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  let bytes = elements.get(value);
  if (!bytes) {
    if (elementBytes > ELEMENT_CACHE) {
      elements = new WeakMap();
      elementBytes = 0;
    }
    elements.set(value, (bytes = Buffer.from(JSON.stringify(value))));
    elementBytes += bytes.length;
  }
  return bytes;
}

/** The same text as the whole frame, one list element at a time. */
function* pieces(event: string, data: Record<string, unknown>, id: number | string | undefined): Generator<Buffer | string> {
  let text = `${head(event, id)}{`;
  let first = true;
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || typeof value === 'function') continue; // as JSON.stringify leaves them out
    text += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(value)) {
      text += JSON.stringify(value);
      continue;
    }
    yield `${text}[`;
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      yield element(value[i]);
    }
    text = ']';
  }
  yield `${text}}\n\n`;
}

type Queued =
  | { bytes: Buffer; id: number | string | undefined }
  | { pieces: Iterator<Buffer | string>; id: number | string | undefined }
  | { later: () => Buffer; id: number | string | undefined };

export function openEventStream(ctx: Context, keepAliveMs = 10_000): EventStream {
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
  const limit = streamBufferOf(ctx);
  const queue: Queued[] = [];
  let queuedBytes = 0;
  let wanted = false;
  let ending = false; // no more events: the queue drains, then the response ends
  let closed = false;
  let lastId: number | string | undefined;
  let grace: NodeJS.Timeout | undefined;
  const listeners: (() => void)[] = [];

  const body = new Readable({
    read() {
      wanted = true;
      pump();
    },
  });

  /**
   * Gives the response what it asks for, from the head of the queue, once per
   * turn of the event loop (below). Events queued one after another go out
   * together, a burst (a thousand tasks placed in one turn) at once. An
   * event's bytes are encoded once and shared by every stream that sends
   * them: they are pushed as they are, never copied into one chunk per
   * client, which 200 clients that do not read would each hold (and the
   * process would keep after they left).
   */
  function pump(): void {
    while (wanted && !closed) {
      const next = queue[0];
      if (!next) {
        if (ending) {
          closed = true;
          body.push(null);
        }
        return;
      }
      let chunk: Buffer | string;
      if ('bytes' in next) {
        let more = true;
        for (let item = queue[0]; item !== undefined && 'bytes' in item; item = queue[0]) {
          queue.shift();
          queuedBytes -= item.bytes.length;
          if (item.id !== undefined) lastId = item.id;
          more = body.push(item.bytes);
        }
        wanted = more;
        continue;
      } else if ('later' in next) {
        queue.shift();
        chunk = next.later();
        if (next.id !== undefined) lastId = next.id;
      } else {
        const piece = next.pieces.next();
        if (piece.done) {
          queue.shift();
          if (next.id !== undefined) lastId = next.id;
          continue;
        }
        chunk = piece.value;
      }
      wanted = body.push(chunk);
    }
  }

  function stop(): void {
    if (ending) return;
    ending = true;
    clearInterval(keepAlive);
    for (const listener of listeners.splice(0)) listener();
  }

  function drop(incoming: number): void {
    // What is queued still goes out, before the last event: the client's last id is the last one queued.
    const last = [...queue].reverse().find((q) => q.id !== undefined)?.id ?? lastId;
    const resume =
      last === undefined
        ? 'reconnect to GET /events: it starts again with a snapshot'
        : `reconnect with GET /events?since=${last} to get every event after the last one you were sent`;
    const bytes = frame(
      'stream.dropped',
      {
        type: 'stream.dropped',
        reason: `this client read too slowly: ${queuedBytes + incoming} bytes of events would wait for it, more than CUBE_STREAM_BUFFER (${limit}); ${resume}`,
        lastEventId: last ?? null,
      },
      undefined,
    );
    queue.push({ bytes, id: undefined });
    queuedBytes += bytes.length;
    stop();
    pump();
    grace = setTimeout(() => ctx.res.destroy(), DROP_GRACE_MS);
    grace.unref();
  }

  // What a turn of the event loop sends goes out at the turn's end, together;
  // a client that then cannot take it all is behind by what is left.
  let pumping: NodeJS.Immediate | undefined;
  function enqueue(item: Queued, size: number): void {
    if (ending) return;
    queue.push(item);
    queuedBytes += size;
    pumping ??= setImmediate(() => {
      pumping = undefined;
      pump();
      if (!ending && queuedBytes > limit) drop(0);
    });
  }

  const keepAlive = setInterval(() => {
    if (queue.length === 0) enqueue({ bytes: keepAliveComment, id: undefined }, 0);
  }, keepAliveMs);
  ctx.res.once('finish', () => clearTimeout(grace));
  ctx.req.on('close', () => {
    clearTimeout(grace);
    clearImmediate(pumping);
    stop();
    closed = true;
    queue.length = 0;
    queuedBytes = 0;
    body.destroy();
  });

  ctx.status = 200;
  ctx.body = body;
  enqueue({ bytes: Buffer.from(': connected\n\n'), id: undefined }, 0);
  // What the route sends before it returns is the catch-up the client asked for (a snapshot, or
  // the changes since its ?since=): always sent whole, encoded only as the client takes it.
  let catchingUp = true;
  setImmediate(() => (catchingUp = false));
  return {
    send(event, data, id) {
      if (holdsLists(data)) enqueue({ pieces: pieces(event, data, id), id }, 0);
      else if (catchingUp) enqueue({ later: () => frame(event, data, id), id }, 0);
      else {
        const bytes = frame(event, data, id);
        enqueue({ bytes, id }, bytes.length);
      }
    },
    onClose(listener) {
      listeners.push(listener);
    },
    close() {
      stop();
      pump();
    },
  };
}
