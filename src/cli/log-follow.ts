// `cube logs -f` through a change of manager: the manager reads a task's
// output from its worker, so when the manager goes (a leader killed, or the
// leader a follower passed the stream to), the output is still there, on the
// worker. A stream that breaks while the task still runs is opened again, on
// the next manager of -m that answers, from the time of the last line
// printed; lines of that time that were printed are not printed again.
import { logQueryString, type LogLine, type LogQuery } from '../logs/log-line.js';
import { TaskState } from '../vocabulary/task.js';
import { addressOf } from './manager-list.js';
import { reachError, type ManagerClient } from './manager-client.js';

/** Breaks in a row with no line read in between, after which the follow gives up. */
const MAX_BREAKS = 5;

/** An RFC 3339 time with up to nanoseconds (Docker's) as nanoseconds since the epoch, so two lines' times compare exactly. */
export function nanosOf(time: string): bigint {
  const parts = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!parts) return BigInt(Date.parse(time)) * 1_000_000n;
  return BigInt(Date.parse(`${parts[1]}${parts[3]}`)) * 1_000_000n + BigInt((parts[2] ?? '').padEnd(9, '0').slice(0, 9));
}

/** The lines printed last: their time, and which lines of that time (several can share one). */
interface Last {
  at: bigint;
  time: string;
  lines: Set<string>;
}

/**
 * The lines of `first` (task `id`'s output, as `query` asked for it), then,
 * when the query follows and the stream breaks while the task runs, of the
 * stream opened again; `notice` tells each reopening.
 */
export async function* followLogs(
  client: ManagerClient,
  id: string,
  first: AsyncGenerator<LogLine>,
  query: LogQuery,
  signal: AbortSignal,
  notice: (line: string) => void,
): AsyncGenerator<LogLine> {
  let lines = first;
  let last: Last | undefined;
  let told: string | undefined;
  let breaks = 0;
  for (;;) {
    let why = 'the stream ended';
    try {
      for await (const line of lines) {
        const at = nanosOf(line.Time);
        // A reopened stream starts at the second of the last line: what was printed is left out.
        if (last && (at < last.at || (at === last.at && last.lines.has(line.Line)))) continue;
        if (told) notice(told);
        told = undefined;
        breaks = 0;
        if (!last || at > last.at) last = { at, time: line.Time, lines: new Set() };
        last.lines.add(line.Line);
        yield line;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (!query.follow) throw error;
      why = reachError(error, 0);
    }
    if (!query.follow || signal.aborted) return;
    // The stream ends too when the container stops: only a task that still runs is followed further.
    const lost = addressOf(client.url);
    if ((await client.task(id)).State !== TaskState.Running) return;
    if (++breaks > MAX_BREAKS) throw new Error(`${why}, ${MAX_BREAKS} times in a row`);
    const since = last ? Number(last.at / 1_000_000_000n) : query.since;
    lines = await client.logs(id, logQueryString({ follow: true, tail: last ? undefined : query.tail, since }), signal);
    // Said once the new stream brings a line: a container that had just stopped brings none, and nothing was lost.
    told = `lost ${lost} (${why}); following ${addressOf(client.url)} from ${last ? `the line of ${last.time}` : 'the start'}`;
  }
}
