// A task's output as Cube carries it (GET /tasks/{id}/logs on the worker and
// the manager): one JSON object per line (NDJSON), each a line the container
// wrote, with when and on which stream, so stdout and stderr stay apart.
// Also the query both routes take: ?follow=1&tail=N&since=…&stream=….
import { parseDuration } from '../vocabulary/duration.js';

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

/**
 * The lines of an NDJSON answer from across a process boundary, each checked:
 * one that is not a LogLine ends the reading with an error naming `from`.
 */
export async function* readLogLines(chunks: AsyncIterable<Uint8Array | string>, from: string): AsyncGenerator<LogLine> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const texts = buffer.split('\n');
    buffer = texts.pop()!;
    for (const text of texts) {
      if (text === '') continue;
      const line = parseLogLine(text);
      if (!line) throw new Error(`${from} sent a line that is not a log line: ${text.slice(0, 80)}`);
      yield line;
    }
  }
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
