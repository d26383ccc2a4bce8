// @ts-check
// Server-sent events as the WHATWG HTML standard defines the stream: one
// reader for the manager following its workers, the `cube` command following
// a manager, and the live view (served as /ui/event-stream.js). Lines end with
// LF, CR or CRLF; an event's `data:` lines are joined with newlines; `event:`
// names it (`message` when absent); `id:` is the last event ID, which holds
// for the events after it; a line starting with `:` is a comment; a blank line
// ends the event. Each event's data is JSON, as Cube sends it.
//
// Bounded: an event (its lines together) larger than `max` bytes is refused
// as soon as it passes the cap, before it ends, so an event that never ends
// costs at most `max` bytes and a linear read of them (src/ui/lines.js).
import { eachChunk, LineSplitter } from './lines.js';

/** @typedef {{ type: string, data: any, id?: number }} StreamEvent */

/** An event over the cap: the stream it came on should be dropped. */
export class EventTooLarge extends Error {
  /** @param {number} max @param {number} size the bytes read of it when it passed the cap */
  constructor(max, size) {
    super(`an event passed ${max} bytes (${size} read, not ended)`);
    this.name = 'EventTooLarge';
    this.max = max;
  }
}

export class EventStreamParser {
  /** The event's lines are decoded one by one, whole; a byte-order mark is the stream's first character only, so it is not stripped from every line. */
  #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  #lines;
  #first = true;
  /** Bytes of the event so far, line ends included. */
  #size = 0;
  #type = '';
  /** @type {string[]} */
  #data = [];
  #id = '';

  /**
   * @param {number} max bytes of one event
   * @param {(event: { type: string, data: string, id: string }) => void} onEvent
   */
  constructor(max, onEvent) {
    this.max = max;
    this.onEvent = onEvent;
    this.#lines = new LineSplitter(max + 1, (bytes, length) => this.#line(bytes, length), { cr: true });
  }

  /**
   * Reads a chunk; the events it ends are given to onEvent in order.
   * @param {Uint8Array} chunk
   * @throws {EventTooLarge} once the event being read passes the cap
   */
  push(chunk) {
    this.#lines.push(chunk);
    const size = this.#size + this.#lines.pending;
    if (size > this.max) throw new EventTooLarge(this.max, size);
  }

  /** @param {Uint8Array} bytes @param {number} length */
  #line(bytes, length) {
    if (length === 0) return this.#dispatch();
    this.#size += length + 1;
    if (this.#size > this.max) throw new EventTooLarge(this.max, this.#size);
    let text = this.#decoder.decode(bytes);
    if (this.#first && text.startsWith('\uFEFF')) text = text.slice(1);
    this.#first = false;
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(text[colon + 1] === ' ' ? colon + 2 : colon + 1);
    if (field === 'event') this.#type = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    // `retry` and unknown fields are ignored, as the standard says.
  }

  #dispatch() {
    const data = this.#data;
    const type = this.#type || 'message';
    this.#data = [];
    this.#type = '';
    this.#size = 0;
    if (data.length > 0) this.onEvent({ type, data: data.join('\n'), id: this.#id });
  }
}

/**
 * The chunks of a response body (a browser's ReadableStream is not always async iterable).
 * @param {ReadableStream<Uint8Array>} body
 */
async function* chunksOf(body) {
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * The events of a response body, their data parsed as JSON; `id` when the
 * last event ID is a number (Cube's are versions).
 * @param {ReadableStream<Uint8Array>} body
 * @param {number} max bytes of one event
 * @returns {AsyncGenerator<StreamEvent>}
 */
export function readEventStream(body, max) {
  /** @type {StreamEvent[]} */
  const out = [];
  const parser = new EventStreamParser(max, ({ type, data, id }) =>
    out.push({ type, data: JSON.parse(data), ...(/^\d+$/.test(id) ? { id: Number(id) } : {}) }),
  );
  return eachChunk(chunksOf(body), (chunk) => parser.push(chunk), out);
}
