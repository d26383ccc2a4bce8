import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { filteredOut, filterNodes } from '../filters.js';
import { managerFlag, outputFlags, outputOf } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { nodeTable } from '../views.js';

export const nodeCommand: Command = {
  summary: 'show the workers: state, memory, disk, CPU, tasks, last heartbeat',
  usage: 'cube node [flags]',
  about: `
One row per worker of the manager: NAME, ADDRESS, PROTOCOL (cube, or book for
a worker that speaks the book's protocol; unknown before its first heartbeat),
STATE (up, suspect, down, unknown), MEMORY (available/total), DISK (free/total), CPU (use of all cores),
TASKS, LAST SEEN (its last heartbeat), and PROBLEM when a worker is not up.
CUBE_TOKEN is sent when set.`,
  flags: {
    ...outputFlags,
    state: { type: 'string', value: 'STATE', help: 'only workers in these states: up, suspect, down, unknown (commas for several)', complete: ['up', 'suspect', 'down', 'unknown'] },
    ...managerFlag,
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new UsageError(`takes no arguments, got: ${positionals.join(' ')}`);
    const output = outputOf(flags);
    filterNodes([], flags);
    const nodes = await ManagerClient.from(flags).nodes();
    const shown = filterNodes(nodes, flags);
    if (output === 'json') process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    else process.stdout.write(shown.length === 0 && nodes.length > 0 ? filteredOut('workers', nodes.length, flags) : nodeTable(shown));
    return 0;
  },
};
