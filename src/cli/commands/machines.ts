import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';

export const machinesCommand: Command = {
  summary: 'write each state machine as JSON and a Mermaid diagram (docs/machines.md)',
  usage: 'cube machines [flags]',
  about: `
Writes the task, worker and manager machines, read from their definitions, as
DIR/machines/<name>.json, DIR/machines/<name>.mmd and DIR/machines.md.`,
  flags: {
    out: { type: 'string', value: 'DIR', help: 'where to write (default docs)', complete: 'dir' },
    check: { type: 'boolean', help: 'write nothing; exit 1 when the files differ from the code' },
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new UsageError(`takes no arguments, got: ${positionals.join(' ')}`);
    const { exportMachines } = await import('../../diagrams/machines.js');
    const { machineFiles } = await import('../../diagrams/document.js');
    const out = flags['out'] ?? 'docs';
    const files = machineFiles(exportMachines());
    const stale = Object.entries(files).filter(([path, text]) => {
      try {
        return readFileSync(join(out, path), 'utf8') !== text;
      } catch {
        return true;
      }
    });
    if (flags['check'] !== undefined) {
      if (stale.length === 0) return 0;
      process.stderr.write(`cube machines: ${stale.map(([p]) => join(out, p)).join(', ')} no longer match the machines; run: npm run machines\n`);
      return 1;
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(out, path)), { recursive: true });
      writeFileSync(join(out, path), text);
    }
    process.stdout.write(
      `cube: wrote ${Object.keys(files)
        .map((p) => join(out, p))
        .join(', ')}\n`,
    );
    return 0;
  },
};
