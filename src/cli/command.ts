// The shape of a `cube` subcommand. Everything --help, the parser and shell
// completion need is data here; what a command runs is loaded only when it
// runs, so `cube status` never loads the servers' code.
import type { Role } from '../config/settings.js';
import type { Args, Flags } from './args.js';

export interface Command {
  /** One line for `cube --help`. */
  summary: string;
  /** The synopsis, like "cube run -f FILE [flags]". */
  usage: string;
  /** What it does, for `cube <command> --help`. */
  about: string;
  /** The flags it takes (besides --help, and the settings of `settings`). */
  flags: Flags;
  /** What shell completion offers for its argument: task IDs, or these words. */
  operand?: 'task' | readonly string[];
  /** Servers: the roles whose settings it takes as flags (docs/configuration.md). */
  settings?: readonly Role[];
  /**
   * Returns the exit code; long-running commands resolve when they stop.
   * `commands` is every command, for those that describe the others
   * (`cube completion`): handed in, so no command imports the list it is in.
   */
  run(args: Args, commands: Readonly<Record<string, Command>>): Promise<number>;
}
