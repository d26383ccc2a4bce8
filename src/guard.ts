// A long-running Cube process (a worker, a manager) must not end because of
// one bad event: inputs are checked where they enter, and what still escapes
// (a bug) is logged with its stack while serving goes on. Ending the process
// would stop every task's supervision for the sake of one.
//
// Its own output is the exception to the exception: when whoever read stdout
// or stderr has gone (a closed pipe, a terminal that was shut), writing there
// fails with EPIPE, and logging that failure would write there again. Such
// errors are dropped, and the process goes on without its output.
import type { Log } from './log.js';

let guarded = false;

const gone = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export function keepServing(log: Log): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const report = (error: unknown) => {
    if (gone.has((error as { code?: string })?.code ?? '')) return;
    try {
      log(`internal error, kept serving (please report it): ${(error as Error)?.stack ?? String(error)}`);
    } catch {
      // Nowhere to say it.
    }
  };
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
}
