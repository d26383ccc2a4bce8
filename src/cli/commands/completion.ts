import { UsageError } from '../args.js';
import type { Command } from '../command.js';

const shells = ['bash', 'zsh'] as const;

export const completionCommand: Command = {
  summary: 'print a shell completion script: cube completion bash|zsh',
  usage: 'cube completion bash|zsh',
  about: `
Prints a script that completes cube's commands (and those of cube service),
their flags, flag values with a known set (--state, -o), files for -f FILE, and
task IDs and service names where one is expected (asked of the manager with
cube status -q and cube service ls -q). Load it in the running shell with
  source <(cube completion bash)      # in ~/.bashrc
  source <(cube completion zsh)       # in ~/.zshrc`,
  flags: {},
  operand: shells,
  async run({ positionals }, commands) {
    const shell = positionals[0];
    if (positionals.length !== 1 || !shells.includes(shell as (typeof shells)[number])) {
      throw new UsageError(`which shell? cube completion bash or cube completion zsh${shell ? `, not ${positionals.join(' ')}` : ''}`);
    }
    const { bashCompletion, zshCompletion } = await import('../completion.js');
    process.stdout.write(shell === 'bash' ? bashCompletion(commands) : zshCompletion(commands));
    return 0;
  },
};
