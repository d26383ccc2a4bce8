// Docker's log stream of a container without a TTY (all of Cube's) is
// multiplexed: frames of an 8-byte header (stream: 1 stdout, 2 stderr; then
// the payload's length, big-endian, in bytes 4–7) and the payload. With
// timestamps, each frame is one line the container wrote, or one part of a
// long line: Docker's json-file driver cuts a line into 16 KiB parts and gives
// each part its own timestamp, at the start of its frame. This turns those
// bytes into lines, the parts of a line joined again under the first part's
// time.
//
// Linear and bounded, whatever the container writes: payloads are taken as
// they come, without waiting for a frame to be whole (its header may claim
// gigabytes), and each stream's unfinished line waits as pieces, of which at
// most `maxLine` bytes are kept (src/ui/lines.js); a longer line is cut and
// says how long it was (cutLine).
import { eachChunk, LineSplitter } from '../ui/lines.js';
import { lineText, type LogLine } from './log-line.js';

const HEADER = 8;
/** A timestamp as Docker writes it (RFC 3339 with nanoseconds) is 30 characters, then a space: the first bytes of a frame hold it whole. */
const TIME_BYTES = 40;
const TIME = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/;
const SPACE = 0x20;
const decoder = new TextDecoder();

/** One output stream of the container: its unfinished line and the time of that line. */
class OutputStream {
  private readonly splitter: LineSplitter;
  /** The time of the frame being read, and of the line being read. */
  private frameTime = '';
  private lineTime = '';

  constructor(name: LogLine['Stream'], maxLine: number, out: LogLine[]) {
    // One byte more than the cap is kept, so a cut can tell where the last whole character ends.
    this.splitter = new LineSplitter(maxLine + 1, (kept, length) => {
      out.push({ Time: this.lineTime, Stream: name, Line: lineText(kept, length, maxLine) });
      this.lineTime = this.frameTime; // a line that starts inside this frame has its time
    });
  }

  /** A frame begins, with its head (the bytes that hold its timestamp, if any). */
  begin(head: Uint8Array): void {
    const space = head.indexOf(SPACE);
    const time = space > 0 ? decoder.decode(head.subarray(0, space)) : '';
    this.frameTime = TIME.test(time) ? time : '';
    // A line's first part gives it its time; a later part's time is dropped with its prefix.
    if (this.splitter.pending === 0) this.lineTime = this.frameTime;
    this.splitter.push(this.frameTime ? head.subarray(space + 1) : head);
  }

  push(bytes: Uint8Array): void {
    this.splitter.push(bytes);
  }

  end(): void {
    this.splitter.end();
  }
}

/** Frames into lines, a chunk at a time. */
class Demultiplexer {
  readonly out: LogLine[] = [];
  private readonly streams: Record<number, OutputStream>;
  /** What is being read: a frame's header, its head (its first bytes, until its timestamp is whole), the rest of its payload. */
  private phase: 'header' | 'head' | 'body' = 'header';
  private readonly header = new Uint8Array(HEADER);
  private headerBytes = 0;
  private head: Uint8Array[] = [];
  private headBytes = 0;
  /** Payload bytes of the frame still to come, and where they go (nowhere: stdin and unknown streams carry no output). */
  private left = 0;
  private target: OutputStream | undefined;

  constructor(maxLine: number) {
    this.streams = { 1: new OutputStream('stdout', maxLine, this.out), 2: new OutputStream('stderr', maxLine, this.out) };
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.phase === 'header') {
        const taken = Math.min(HEADER - this.headerBytes, chunk.length - at);
        this.header.set(chunk.subarray(at, at + taken), this.headerBytes);
        this.headerBytes += taken;
        at += taken;
        if (this.headerBytes < HEADER) return;
        this.headerBytes = 0;
        this.left = new DataView(this.header.buffer).getUint32(4);
        this.target = this.streams[this.header[0]!];
        if (this.left > 0) this.phase = 'head';
        continue;
      }
      const piece = chunk.subarray(at, at + Math.min(this.left, chunk.length - at));
      at += piece.length;
      this.left -= piece.length;
      if (this.phase === 'body') this.target?.push(piece);
      else this.gather(piece);
      if (this.left === 0) this.phase = 'header';
    }
  }

  /** Gathers a frame's first bytes until they hold its timestamp (or the frame ends), then begins the frame. */
  private gather(piece: Uint8Array): void {
    this.head.push(piece);
    this.headBytes += piece.length;
    if (this.headBytes < TIME_BYTES && !piece.includes(SPACE) && this.left > 0) return;
    this.target?.begin(Buffer.concat(this.head));
    this.head = [];
    this.headBytes = 0;
    this.phase = 'body';
  }

  end(): void {
    for (const stream of Object.values(this.streams)) stream.end();
  }
}

/** Lines from the chunks of a multiplexed stream, in the order they were written; a line keeps at most `maxLine` bytes. */
export async function* demultiplex(chunks: AsyncIterable<Uint8Array>, maxLine: number): AsyncGenerator<LogLine> {
  const frames = new Demultiplexer(maxLine);
  yield* eachChunk(chunks, (chunk) => frames.push(chunk), frames.out);
  frames.end();
  yield* frames.out.splice(0);
}
