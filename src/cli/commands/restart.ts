import { TaskState } from '../../vocabulary/task.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { taskNaming, withTask } from '../resolve.js';
import { DEFAULT_TIMEOUT, waitOptions } from '../wait.js';
import { follow, submit } from './run.js';

export const restartCommand: Command = {
  summary: 'restart a task in a new container and wait until it runs (cube restart ID)',
  usage: 'cube restart ID [flags]',
  about: `
Restarts a Running or Failed task: its container is replaced by a new one, with
a fresh restart count (docs/spec.md §1: the task POSTed again, as the manager
has it). Then follows it as cube run does, until it runs (exit 0) or fails
(exit 1). A Pending or Scheduled task is left as it is; a Completed one is
final (cube run -f FILE runs it again under a new ID). CUBE_TOKEN is sent when set.

${taskNaming}`,
  flags: {
    detach: { type: 'boolean', short: 'd', help: 'ask for the restart and return at once, without waiting' },
    json: { type: 'boolean', help: "print the task as the manager's JSON instead of a sentence" },
    timeout: { type: 'string', value: 'DURATION', help: `give up waiting after this long (default ${DEFAULT_TIMEOUT}; 0 waits forever)` },
    ...managerFlag,
  },
  operand: 'task',
  async run({ positionals, flags }) {
    if (positionals.length === 0) throw new UsageError('which task? give its ID: cube restart ID (cube status lists them)');
    if (positionals.length > 1) throw new UsageError(`restarts one task at a time, got ${positionals.length}: ${positionals.join(' ')}`);
    const wait = waitOptions(flags, 'restart');
    const client = ManagerClient.from(flags);
    const task = await withTask(client, positionals[0]!, (id) => client.task(id));
    if (task.State === TaskState.Completed) {
      throw new Error(`task ${task.ID} is completed, which is final; run it again under a new ID with cube run -f FILE`);
    }
    const event = { Task: task };
    const source = `task ${task.ID}`;
    if (flags['detach'] !== undefined) {
      const accepted = await submit(client, event, source);
      process.stdout.write(wait.json ? `${JSON.stringify(accepted, null, 2)}\n` : `restart of task ${accepted.ID} requested\n`);
      return 0;
    }
    return follow(client, event, source, wait);
  },
};
