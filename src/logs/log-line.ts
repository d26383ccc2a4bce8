// A task's output as Cube carries it (GET /tasks/{id}/logs on the worker and
// the manager): one JSON object per line (NDJSON), each a line the container
// wrote, with when and on which stream, so stdout and stderr stay apart.
// Also the query both routes take: ?follow=1&tail=N&since=…&stream=….
import { parseDuration } from '../vocabulary/duration.js';
import { eachChunk, LineSplitter, utf8Cut } from '../ui/lines.js';

export interface LogLine {
  /** When Docker received it (RFC 3339, nanoseconds). */
  Time: string;
  Stream: 'stdout' | 'stderr';
  /** The line, without its newline. */
  Line: string;
}

export const NDJSON = 'application/x-ndjson; charset=utf-8';

export interface LogQuery {
  follow: boolean;
  /** Only the last N lines (before following); undefined for all. */
  tail: number | undefined;
  /** Only lines after this time, in Unix seconds; undefined for all. */
  since: number | undefined;
}

/** A query the caller got wrong; the message says how to write it. */
export class LogQueryError extends Error {
  override name = 'LogQueryError';
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** `since`: an RFC 3339 time, Unix seconds, or a duration before `now` (10m: the last ten minutes). */
export function parseSince(text: string, now: number = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (RFC3339.test(text) && !Number.isNaN(Date.parse(text))) return Date.parse(text) / 1000;
  const ms = parseDuration(text);
  if (ms !== undefined) return (now - ms) / 1000;
  throw new LogQueryError(`since: ${JSON.stringify(text)} is not a time; give a duration (10m: the last ten minutes), an RFC 3339 time or Unix seconds`);
}

/** Reads ?follow=1&tail=N&since=… ; anything else there is refused. */
export function parseLogQuery(query: Record<string, string | string[] | undefined>, now: number = Date.now()): LogQuery {
  const one = (key: string): string | undefined => {
    const value = query[key];
    if (Array.isArray(value)) throw new LogQueryError(`${key}: given ${value.length} times; give it once`);
    return value;
  };
  const unknown = Object.keys(query).filter((key) => !['follow', 'tail', 'since'].includes(key));
  if (unknown.length) throw new LogQueryError(`unknown parameter ${unknown.join(', ')}; the logs take follow=1, tail=N and since=TIME`);
  const follow = one('follow');
  if (follow !== undefined && !['0', '1', 'true', 'false', ''].includes(follow))
    throw new LogQueryError(`follow: expected 1 or 0, got ${JSON.stringify(follow)}`);
  const tail = one('tail');
  if (tail !== undefined && tail !== 'all' && !/^\d+$/.test(tail))
    throw new LogQueryError(`tail: expected a whole number of lines (or all), got ${JSON.stringify(tail)}`);
  const since = one('since');
  return {
    follow: follow === '1' || follow === 'true' || follow === '',
    tail: tail === undefined || tail === 'all' ? undefined : Number(tail),
    since: since === undefined ? undefined : parseSince(since, now),
  };
}

/** The query as the worker's route reads it, for the manager's proxy. */
export function logQueryString(query: LogQuery): string {
  const params = new URLSearchParams();
  if (query.follow) params.set('follow', '1');
  if (query.tail !== undefined) params.set('tail', String(query.tail));
  if (query.since !== undefined) params.set('since', String(query.since));
  const text = params.toString();
  return text ? `?${text}` : '';
}

const decoder = new TextDecoder();

/** What ends a line longer than the cap: how long it was, and what was kept of it. */
const cutMarker = (length: number, max: number) => ` [… cut by Cube: the line was ${length} bytes; the first ${max} are kept (CUBE_LOG_LINE_MAX)]`;

/**
 * A line of output read as bytes (`kept`: its first bytes, at least one more
 * than `max` when it is longer): the whole line, or, past `max` bytes, its
 * first whole characters and a marker that says how long it was.
 */
export function lineText(kept: Uint8Array, length: number, max: number): string {
  if (length <= max) return decoder.decode(kept);
  return `${decoder.decode(kept.subarray(0, utf8Cut(kept, max)))}${cutMarker(length, max)}`;
}

/** The longest NDJSON line a LogLine of `maxLine` bytes makes: JSON writes a byte as at most six (\u0000), then the keys and the time. */
export const jsonLineMax = (maxLine: number) => 6 * maxLine + 1024;

/** The start of a LogLine as JSON.stringify writes it: a line too long to read still says when and where it was written. */
const HEAD = /^\{"Time":"([^"\\]*)","Stream":"(stdout|stderr)"/;

/**
 * The lines of an NDJSON answer from across a process boundary, each checked:
 * one that is not a LogLine ends the reading with an error naming `from`.
 * Linear, and bounded: a line longer than `max` bytes is not read, and
 * stands as a line that says how long it was.
 */
export async function* readLogLines(chunks: AsyncIterable<Uint8Array>, from: string, max: number): AsyncGenerator<LogLine> {
  const out: LogLine[] = [];
  const splitter = new LineSplitter(max, (kept, length) => {
    if (length === 0) return;
    const text = decoder.decode(kept);
    if (length > max) {
      const [, time = '', stream = 'stdout'] = HEAD.exec(text) ?? [];
      out.push({ Time: time, Stream: stream as LogLine['Stream'], Line: `[… cut by Cube: ${from} sent a line of ${length} bytes, more than ${max}]` });
      return;
    }
    const line = parseLogLine(text);
    if (!line) throw new Error(`${from} sent a line that is not a log line: ${text.slice(0, 80)}`);
    out.push(line);
  });
  // A last line without its newline was cut off with the answer: it is not a line, so the splitter is not ended.
  yield* eachChunk(chunks, (chunk) => splitter.push(chunk), out);
}

/** Checks one NDJSON line from across a process boundary; undefined when it is not a LogLine. */
export function parseLogLine(text: string): LogLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const v = value as Partial<LogLine> | null;
  if (!v || typeof v.Time !== 'string' || typeof v.Line !== 'string' || (v.Stream !== 'stdout' && v.Stream !== 'stderr')) return undefined;
  return { Time: v.Time, Stream: v.Stream, Line: v.Line };
}
