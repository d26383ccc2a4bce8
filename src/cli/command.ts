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
  /** What shell completion offers for its argument: task IDs (of finished tasks only), service names, or these words. */
  operand?: 'task' | 'finished-task' | 'service' | readonly string[];
  /** Servers: the roles whose settings it takes as flags (docs/configuration.md). */
  settings?: readonly Role[];
  /**
   * Returns the exit code; long-running commands resolve when they stop.
   * `commands` is every command, for those that describe the others
   * (`cube completion`): handed in, so no command imports the list it is in.
   */
  run(args: Args, commands: Readonly<Record<string, Entry>>): Promise<number>;
}

/**
 * A command of commands, as `docker service` and `kubectl rollout` are: `cube
 * service ls`. Each of its commands has flags, help and completion of its own,
 * so a flag that one takes is refused by the others.
 */
export interface CommandGroup {
  summary: string;
  /** The synopsis, like "cube service <command> [flags]". */
  usage: string;
  about: string;
  commands: Readonly<Record<string, Command>>;
}

/** What `cube <name>` is: a command, or a group of them. */
export type Entry = Command | CommandGroup;

export const isGroup = (entry: Entry): entry is CommandGroup => 'commands' in entry;

/** Every command by its full name ("status", "service ls"), groups opened, in the order `cube --help` lists them. */
export function everyCommand(entries: Readonly<Record<string, Entry>>): [string, Command][] {
  return Object.entries(entries).flatMap(([name, entry]): [string, Command][] =>
    isGroup(entry) ? Object.entries(entry.commands).map(([sub, command]): [string, Command] => [`${name} ${sub}`, command]) : [[name, entry]],
  );
}
