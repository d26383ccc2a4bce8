import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { outputFlags, outputOf } from '../flags.js';
import { cubeVersion, versionLine } from '../version.js';

export const versionCommand: Command = {
  summary: "print cube's version (and Node's)",
  usage: 'cube version [flags]',
  about: `
Prints the version of this cube (package.json), of Node and the platform, like
"cube 0.1.0 (node v20.20.2, linux/x64)". cube --version prints the same.`,
  flags: { ...outputFlags },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new UsageError(`takes no arguments, got: ${positionals.join(' ')}`);
    process.stdout.write(outputOf(flags) === 'json' ? `${JSON.stringify(cubeVersion(), null, 2)}\n` : `${versionLine()}\n`);
    return 0;
  },
};
