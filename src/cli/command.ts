// The shape of a `cube` subcommand.
import type { Args } from './args.js';

export interface Command {
  /** One line for `cube --help`. */
  summary: string;
  /** The full help of the command. */
  usage: string;
  /** Flags that take no value. */
  switches?: readonly string[];
  /** Returns the exit code; long-running commands resolve when they stop. */
  run(args: Args): Promise<number>;
}
