// Docker's log stream of a container without a TTY (all of Cube's) is
// multiplexed: frames of an 8-byte header (stream: 1 stdout, 2 stderr; then
// the payload's length, big-endian, in bytes 4–7) and the payload. With
// timestamps, each line starts with its RFC 3339 time and a space. This turns
// those bytes into lines, one stream's partial line kept until its newline.
import type { LogLine } from './log-line.js';

const HEADER = 8;
const streams: Record<number, LogLine['Stream']> = { 1: 'stdout', 2: 'stderr' };

/** A line as Docker sends it with timestamps: "2026-11-27T17:30:01.123456789Z hello". */
function toLine(stream: LogLine['Stream'], text: string): LogLine {
  const space = text.indexOf(' ');
  const time = space > 0 ? text.slice(0, space) : '';
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(time)) return { Time: time, Stream: stream, Line: text.slice(space + 1) };
  return { Time: '', Stream: stream, Line: text };
}

/** Lines from the chunks of a multiplexed stream, in the order they were written. */
export async function* demultiplex(chunks: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer>): AsyncGenerator<LogLine> {
  let buffer = Buffer.alloc(0);
  const partial: Record<string, string> = { stdout: '', stderr: '' };
  for await (const chunk of chunks) {
    buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, Buffer.from(chunk)]);
    const lines: LogLine[] = [];
    while (buffer.length >= HEADER) {
      const size = buffer.readUInt32BE(4);
      if (buffer.length < HEADER + size) break;
      const stream = streams[buffer[0]!];
      const payload = buffer.subarray(HEADER, HEADER + size).toString('utf8');
      buffer = buffer.subarray(HEADER + size);
      if (!stream) continue; // stdin (0) and unknown frames carry no output
      const text = partial[stream] + payload;
      const parts = text.split('\n');
      partial[stream] = parts.pop()!;
      for (const part of parts) lines.push(toLine(stream, part.replace(/\r$/, '')));
    }
    yield* lines;
  }
  for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) yield toLine(stream, partial[stream]);
}
