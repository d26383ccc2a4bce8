// A long-running Cube process (a worker, a manager) must not end because of
// one bad event: inputs are checked where they enter, and what still escapes
// (a bug) is logged with its stack while serving goes on. Ending the process
// would stop every task's supervision for the sake of one.
import type { Log } from './log.js';

let guarded = false;

export function keepServing(log: Log): void {
  if (guarded) return;
  guarded = true;
  process.on('uncaughtException', (error) => log(`internal error, kept serving (please report it): ${error.stack ?? String(error)}`));
  process.on('unhandledRejection', (reason) => log(`internal error, kept serving (please report it): ${(reason as Error)?.stack ?? String(reason)}`));
}
