// `cube --help` and `cube <command> --help`, made from the commands' own
// flag tables, so help never lists a flag a command does not take.
import { flagOf, settingsFor } from '../config/settings.js';
import type { Flags } from './args.js';
import { isGroup, type Entry } from './command.js';
import { helpFlag } from './flags.js';
import { align } from './table.js';

const flagWord = (name: string, flag: Flags[string]) =>
  `${flag.short ? `-${flag.short}, ` : '    '}--${name}${flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : ''}`;

function flagLines(flags: Flags): string {
  return align(
    Object.entries(flags).map(([name, flag]) => [`  ${flagWord(name, flag)}`, flag.help]),
    2,
  );
}

/** The whole help of one command, or of a group: its commands and what each does. */
export function commandHelp(command: Entry): string {
  if (isGroup(command)) return `usage: ${command.usage}\n\n${command.about.trim()}\n\nCommands:\n${summaries(command.commands)}`;
  let text = `usage: ${command.usage}\n\n${command.about.trim()}\n\nFlags:\n${flagLines({ ...command.flags, ...helpFlag })}`;
  if (command.settings) {
    const rows = settingsFor(command.settings).map(({ spec }) => {
      const fallback = typeof spec.default === 'function' ? spec.default() : spec.default;
      return [`  ${flagOf(spec.env)}`, spec.env, fallback === '' ? 'unset' : fallback, spec.help];
    });
    text += `\nSettings (flag, variable, default; docs/configuration.md has them all):\n${align(rows, 2)}`;
  }
  return text;
}

/** "  name   summary" lines, aligned. */
function summaries(entries: Readonly<Record<string, Entry>>): string {
  return align(
    Object.entries(entries).map(([name, c]) => [`  ${name}`, c.summary]),
    2,
  );
}

/** `cube --help`: every command and its summary. */
export function overallHelp(commands: Readonly<Record<string, Entry>>): string {
  return `usage: cube <command> [flags]\n\ncommands:\n${summaries(commands)}\n"cube <command> --help" tells more; docs/cli.md has it all.\n`;
}
