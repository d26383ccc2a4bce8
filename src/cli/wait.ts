// How a command that waits for something to happen (`cube run`, `cube
// restart`, a rollout of `cube service`) waits: until its --timeout, printing JSON or a sentence at the
// end, with a live line on a terminal or a line per event elsewhere.
import { parseDuration } from '../vocabulary/duration.js';
import { UsageError } from './args.js';

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
