// `cube`: the command people use. Every failure ends in one line that says
// what went wrong and how to fix it, and a non-zero exit code; never a stack
// trace (CUBE_DEBUG=1 shows one).
import { SettingsError } from '../config/settings.js';
import { parseArgs, UsageError } from './args.js';
import type { Command } from './command.js';
import { machinesCommand } from './commands/machines.js';
import { managerCommand } from './commands/manager.js';
import { nodeCommand } from './commands/node.js';
import { nodeDrainCommand } from './commands/node-drain.js';
import { nodeRmCommand } from './commands/node-rm.js';
import { nodeUndrainCommand } from './commands/node-undrain.js';
import { runCommand } from './commands/run.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { tlsCommand } from './commands/tls.js';
import { workerCommand } from './commands/worker.js';

const commands: Record<string, Command> = {
  start: startCommand,
  manager: managerCommand,
  worker: workerCommand,
  run: runCommand,
  stop: stopCommand,
  status: statusCommand,
  node: nodeCommand,
  'node drain': nodeDrainCommand,
  'node rm': nodeRmCommand,
  'node undrain': nodeUndrainCommand,
  machines: machinesCommand,
  tls: tlsCommand,
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: cube <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n"cube <command> --help" tells more; docs/cli.md has it all.\n`;
}

async function main(argv: string[]): Promise<number> {
  // A command of two words (`cube node drain`) is looked up before its first word alone.
  const [name, ...rest] = argv[1] !== undefined && commands[`${argv[0]} ${argv[1]}`] ? [`${argv[0]} ${argv[1]}`, ...argv.slice(2)] : argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`cube: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const args = parseArgs(rest, new Set(['help', ...(command.switches ?? [])]));
  if (args.flags['help'] !== undefined) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (process.env['CUBE_DEBUG'] === '1') console.error(error);
    if (error instanceof UsageError || error instanceof SettingsError) {
      process.stderr.write(`cube ${name}: ${error.message}\n(see: cube ${name} --help)\n`);
      return 2;
    }
    process.stderr.write(`cube ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}

// Exit once the command is done, even if a socket or timer lingers: a stopped
// worker or manager must never hang its shell.
const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
