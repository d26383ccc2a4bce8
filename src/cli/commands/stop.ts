import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { taskNaming, withTask } from '../resolve.js';

export const stopCommand: Command = {
  summary: 'stop a task: its container is stopped and removed (cube stop ID)',
  usage: 'cube stop ID [flags]',
  about: `
Stops the task: the manager has its worker stop and remove the container, and
the task becomes Completed (final). A task not yet running is cancelled. Prints
"stopped task ID" once the worker confirms; if the worker has not confirmed in
time, the manager's message says so (exit 0: Cube finishes the stop).
CUBE_TOKEN is sent when set.

${taskNaming}`,
  flags: { ...managerFlag },
  operand: 'task',
  async run({ positionals, flags }) {
    if (positionals.length === 0) throw new UsageError('which task? give its ID: cube stop ID (cube status lists them)');
    if (positionals.length > 1) throw new UsageError(`stops one task at a time, got ${positionals.length}: ${positionals.join(' ')}`);
    const client = ManagerClient.from(flags);
    const [what] = positionals as [string];
    const { id, result } = await withTask(client, what, async (id) => ({ id, result: await client.stop(id) }));
    process.stdout.write(result.confirmed ? `stopped task ${id}\n` : `${result.message}\n`);
    return 0;
  },
};
