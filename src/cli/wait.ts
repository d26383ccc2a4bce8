// How a command that waits for something to happen (`cube run`, `cube
// restart`, a rollout of `cube service`) waits: until its --timeout, printing JSON or a sentence at the
// end, with a live line on a terminal or a line per event elsewhere.
import { parseDuration } from '../vocabulary/duration.js';
import { UsageError } from './args.js';
import { reachError } from './manager-client.js';

export const DEFAULT_TIMEOUT = '5m';

export interface FollowOptions {
  timeoutMs: number;
  timeoutText: string;
  json: boolean;
  /** A live line on stderr (a terminal), or one line per history entry (a pipe, a log). */
  tty: boolean;
  /** The command, for its messages: run, restart, service update… */
  command: string;
}

/** --timeout (else `fallback`), --json and whether stderr is a terminal, for a follow. */
export function waitOptions(flags: Record<string, string>, command: string, fallback = DEFAULT_TIMEOUT): FollowOptions {
  const timeoutText = flags['timeout'] ?? fallback;
  const timeoutMs = parseDuration(timeoutText);
  if (timeoutMs === undefined) throw new UsageError(`--timeout: ${JSON.stringify(timeoutText)} is not a duration; write it like 30s, 5m or 1h`);
  return { timeoutMs, timeoutText, json: flags['json'] !== undefined, tty: Boolean(process.stderr.isTTY), command };
}

/** What ended a follow before its end: the --timeout, or Ctrl-C. */
export type Interruption = 'timeout' | 'SIGINT';

/**
 * Feeds `stream` to `step` until it says it is done (true), the stream ends,
 * or the ceiling or Ctrl-C aborts `controller`; returns which of those two
 * ended it, if one did. A stream broken otherwise throws `lost(reason)`.
 * `show` is ended, and the stream closed, in every case.
 */
export async function followStream<E>(
  stream: AsyncIterable<E>,
  controller: AbortController,
  timeoutMs: number,
  show: { end(): void },
  step: (event: E) => boolean | Promise<boolean>,
  lost: (reason: string) => string,
): Promise<Interruption | undefined> {
  let interrupted: Interruption | undefined;
  const timer = timeoutMs > 0 ? setTimeout(() => ((interrupted = 'timeout'), controller.abort()), timeoutMs) : undefined;
  const onSigint = () => ((interrupted = 'SIGINT'), controller.abort());
  process.once('SIGINT', onSigint);
  try {
    for await (const event of stream) if (await step(event)) break;
  } catch (error) {
    if (!interrupted) throw new Error(lost(reachError(error, 0)));
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSigint);
    show.end();
    controller.abort();
  }
  return interrupted;
}
