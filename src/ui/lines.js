// @ts-check
// Lines from a stream of bytes, for every reader of text that comes from
// another process: the manager reading a worker's events and logs, the `cube`
// command, the live view (served as /ui/lines.js). Plain JavaScript with JSDoc
// types, so the browser runs it as it is and the TypeScript imports it checked.
//
// Linear: each byte is looked at once, with the engine's own search for the
// line end; the unfinished line waits as a list of pieces, joined once when it
// ends (re-joining and re-scanning it at every chunk made an 8 MB line cost
// seconds of one synchronous run). Bounded: a line keeps its first `max`
// bytes, and the rest is only counted, so its reader can say how long it was.

const LF = 10;
const CR = 13;

/**
 * The cap of the `cube` command and the live view on one event or one line
 * they read from their own manager. Larger than the manager's caps on what
 * workers send (CUBE_EVENT_MAX, CUBE_LOG_LINE_MAX): a manager's snapshot
 * holds every task of the cluster, about 1.5 KB each.
 */
export const CLIENT_MAX = 256 * 2 ** 20;

/**
 * @callback OnLine
 * @param {Uint8Array} kept the line's first `max` bytes (all of it when it is not longer), without its end
 * @param {number} length the whole line's length in bytes
 * @returns {void}
 */

export class LineSplitter {
  /** @type {Uint8Array[]} */
  #pieces = [];
  #kept = 0;
  #length = 0;
  #last = -1;
  #afterCr = false;

  /**
   * @param {number} max bytes kept of one line
   * @param {OnLine} onLine
   * @param {{ cr?: boolean }} [options] cr: a CR alone ends a line too (server-sent events); else only LF does, and a CR before it is dropped
   */
  constructor(max, onLine, options = {}) {
    this.max = max;
    this.onLine = onLine;
    this.cr = options.cr ?? false;
  }

  /** Bytes of the line not ended yet. */
  get pending() {
    return this.#length;
  }

  /** @param {Uint8Array} chunk */
  push(chunk) {
    let start = 0;
    // A CRLF split between two chunks is one line end.
    if (this.#afterCr && chunk[0] === LF) start = 1;
    this.#afterCr = false;
    // The next LF and CR at or after `start`: each is searched for again only once passed, so a chunk is scanned once.
    let lf = -2;
    let cr = -2;
    while (start < chunk.length) {
      if (lf !== -1 && lf < start) lf = chunk.indexOf(LF, start);
      if (this.cr && cr !== -1 && cr < start) cr = chunk.indexOf(CR, start);
      const end = !this.cr || cr === -1 ? lf : lf === -1 ? cr : Math.min(lf, cr);
      if (end === -1) return this.#keep(chunk.subarray(start));
      this.#keep(chunk.subarray(start, end));
      this.#emit();
      start = end + 1;
      if (chunk[end] === CR) {
        if (start === chunk.length) this.#afterCr = true;
        else if (chunk[start] === LF) start += 1;
      }
    }
  }

  /** The last line, when the stream ended without its line end. */
  end() {
    if (this.#length > 0) this.#emit();
  }

  /** @param {Uint8Array} piece */
  #keep(piece) {
    if (piece.length === 0) return;
    this.#length += piece.length;
    this.#last = /** @type {number} */ (piece[piece.length - 1]);
    const room = this.max - this.#kept;
    if (room <= 0) return;
    const taken = piece.length <= room ? piece : piece.subarray(0, room);
    this.#pieces.push(taken);
    this.#kept += taken.length;
  }

  #emit() {
    let length = this.#length;
    // Only LF ends lines here: a CR before it is part of the line end (CRLF), not of the line.
    if (!this.cr && this.#last === CR) length -= 1;
    const kept = joined(this.#pieces, this.#kept).subarray(0, Math.min(length, this.#kept));
    this.#pieces = [];
    this.#kept = 0;
    this.#length = 0;
    this.#last = -1;
    this.onLine(kept, length);
  }
}

/**
 * The pieces as one array, copied once (none to copy when there is one piece).
 * @param {Uint8Array[]} pieces
 * @param {number} size their total length
 */
function joined(pieces, size) {
  if (pieces.length === 1) return /** @type {Uint8Array} */ (pieces[0]);
  const all = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    all.set(piece, at);
    at += piece.length;
  }
  return all;
}

/**
 * Where to cut UTF-8 bytes at most `max` long without splitting a character:
 * back from `max` past continuation bytes (10xxxxxx).
 * @param {Uint8Array} bytes
 * @param {number} max
 */
export function utf8Cut(bytes, max) {
  if (bytes.length <= max) return bytes.length;
  let cut = max;
  while (cut > 0 && (Number(bytes[cut]) & 0xc0) === 0x80) cut -= 1;
  return cut;
}

/**
 * How long reading may go on before it lets the event loop turn. Chunks that
 * have arrived already come one after another through promises, and the
 * event loop does not turn between them: megabytes waiting would hold it for
 * as long as reading them takes, however linear that is.
 */
const SLICE_MS = 10;
const nextTurn = () => new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate : setTimeout)(resolve));

/**
 * What `push` makes of each chunk, as it is made (`push` puts it in `out`).
 * What a chunk made before an error it caused comes before the error.
 * @template T
 * @param {AsyncIterable<Uint8Array>} chunks
 * @param {(chunk: Uint8Array) => void} push
 * @param {T[]} out
 * @returns {AsyncGenerator<T>}
 */
export async function* eachChunk(chunks, push, out) {
  let since = performance.now();
  for await (const chunk of chunks) {
    let failed = false;
    let failure;
    try {
      push(chunk);
    } catch (error) {
      failed = true;
      failure = error;
    }
    // Each thing made is handed on with a look at the clock: one chunk can make thousands, and what takes them may work on each.
    for (const made of out.splice(0)) {
      yield made;
      if (performance.now() - since > SLICE_MS) {
        await nextTurn();
        since = performance.now();
      }
    }
    if (failed) throw failure;
  }
}
