// `cube`: the command people use. Every failure ends in one line that says
// what went wrong and how to fix it, and a non-zero exit code: 2 for a command
// used wrong, 1 for the rest; never a stack trace (CUBE_DEBUG=1 shows one).
import { SettingsError } from '../config/settings.js';
import { parseArgs, UsageError } from './args.js';
import { isGroup, type Command, type CommandGroup, type Entry } from './command.js';
import { commands } from './commands.js';
import { helpFlag, settingElsewhere, settingsFlags } from './flags.js';
import { commandHelp, overallHelp } from './help.js';
import { versionLine } from './version.js';

/** What the words after `cube` name: a command with its full name and the words left, or what to print when they name none. */
type Found = { name: string; command: Command; rest: string[] } | { text: string; to: 'stdout' | 'stderr'; code: number };

/** The command of a group that `rest` starts with (`cube service ls`): the group's help without one, an error for one it has not. */
function inGroup(group: CommandGroup, name: string, rest: string[]): Found {
  const [sub, ...words] = rest;
  if (sub === undefined || sub === '--help' || sub === '-h') return { text: commandHelp(group), to: sub ? 'stdout' : 'stderr', code: sub ? 0 : 2 };
  const command = group.commands[sub];
  if (command) return { name: `${name} ${sub}`, command, rest: words };
  const known = Object.keys(group.commands).join(', ');
  return { text: `cube ${name}: unknown command ${JSON.stringify(sub)}; cube ${name} takes ${known} (see: cube ${name} --help)\n`, to: 'stderr', code: 2 };
}

function find(argv: string[]): Found {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') return { text: `${versionLine()}\n`, to: 'stdout', code: 0 };
  if (name === 'help' && rest[0] && commands[rest[0]]) {
    const entry = commands[rest[0]]!;
    const sub = isGroup(entry) && rest[1] !== undefined ? entry.commands[rest[1]] : undefined;
    return { text: commandHelp(sub ?? entry), to: 'stdout', code: 0 };
  }
  if (!name || name === '--help' || name === '-h' || name === 'help')
    return { text: overallHelp(commands), to: name ? 'stdout' : 'stderr', code: name ? 0 : 2 };
  const entry: Entry | undefined = commands[name];
  if (!entry) {
    const known = Object.keys(commands).join(', ');
    return { text: `cube: unknown command ${JSON.stringify(name)}; the commands are ${known} (see: cube --help)\n`, to: 'stderr', code: 2 };
  }
  return isGroup(entry) ? inGroup(entry, name, rest) : { name, command: entry, rest };
}

async function main(argv: string[]): Promise<number> {
  const found = find(argv);
  if ('text' in found) {
    process[found.to].write(found.text);
    return found.code;
  }
  const { name, command, rest } = found;
  try {
    const flags = { ...command.flags, ...(command.settings ? settingsFlags(command.settings) : {}), ...helpFlag };
    const args = parseArgs(rest, flags, command.settings ? (flag) => settingElsewhere(flag, command.settings!) : undefined);
    if (args.flags['help'] !== undefined) {
      process.stdout.write(commandHelp(command));
      return 0;
    }
    return await command.run(args, commands);
  } catch (error) {
    if (process.env['CUBE_DEBUG'] === '1') console.error(error);
    if (error instanceof UsageError || error instanceof SettingsError) {
      process.stderr.write(`cube ${name}: ${error.message} (see: cube ${name} --help)\n`);
      return 2;
    }
    process.stderr.write(`cube ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}

// Exit once the command is done, even if a socket or timer lingers: a stopped
// worker or manager must never hang its shell.
const code = await main(process.argv.slice(2));
process.exitCode = code;
process.stdout.write('', () => process.exit(code));
// A stdout nobody reads any more never calls back: exit anyway, a moment later.
setTimeout(() => process.exit(code), 1000).unref();
