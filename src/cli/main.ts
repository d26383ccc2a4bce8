// `cube`: the command people use. Every failure ends in one line that says
// what went wrong and how to fix it, and a non-zero exit code: 2 for a command
// used wrong, 1 for the rest; never a stack trace (CUBE_DEBUG=1 shows one).
import { SettingsError } from '../config/settings.js';
import { parseArgs, UsageError } from './args.js';
import type { Command } from './command.js';
import { commands } from './commands.js';
import { helpFlag, settingElsewhere, settingsFlags } from './flags.js';
import { commandHelp, overallHelp } from './help.js';
import { versionLine } from './version.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  if (name === 'help' && rest[0] && commands[rest[0]]) {
    process.stdout.write(commandHelp(commands[rest[0]]!));
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? process.stdout : process.stderr).write(overallHelp(commands));
    return name ? 0 : 2;
  }
  const command: Command | undefined = commands[name];
  if (!command) {
    process.stderr.write(`cube: unknown command ${JSON.stringify(name)}; the commands are ${Object.keys(commands).join(', ')} (see: cube --help)\n`);
    return 2;
  }
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
