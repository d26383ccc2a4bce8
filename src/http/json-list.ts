// A long JSON list sent as it is built: a few hundred items per turn of the
// event loop, at the pace the client reads, so a list of 100,000 tasks (about
// 100 MB) neither blocks other requests while it is encoded nor sits whole
// in memory. The items are read as the answer goes: a list is the state of
// each item when it is sent.
import { Readable } from 'node:stream';
import type { Context } from 'koa';

/** Items encoded per chunk: small enough that one chunk takes a few milliseconds. */
const CHUNK = 256;

export function sendJsonList(ctx: Context, items: Iterable<unknown>): void {
  const iterator = items[Symbol.iterator]();
  let started = false;
  ctx.type = 'application/json';
  ctx.body = new Readable({
    read() {
      let text = started ? '' : '[';
      for (let i = 0; i < CHUNK; i++) {
        const next = iterator.next();
        if (next.done) {
          this.push(`${text}]`);
          this.push(null);
          return;
        }
        text += `${started ? ',' : ''}${JSON.stringify(next.value)}`;
        started = true;
      }
      // The next chunk waits for the next turn: requests that came meanwhile go first.
      setImmediate(() => this.push(text));
    },
  });
}
