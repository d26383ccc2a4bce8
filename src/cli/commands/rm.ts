import { isFinished } from '../../../machines/retention.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import { shortId, stateLabel } from '../format.js';
import { ManagerClient } from '../manager-client.js';
import { taskNaming, withTask } from '../resolve.js';

export const rmCommand: Command = {
  summary: 'remove a finished task from the manager, its store and its worker now (cube rm ID)',
  usage: 'cube rm ID [flags]',
  about: `
Removes one finished task (Completed, or Failed with no restart left) from
everywhere it is kept: the manager, its store and its worker, now rather than
when CUBE_RETENTION would (DELETE /tasks/{id}?forget=true). It no longer shows
in cube status, also after a restart of the manager. A live task is refused:
stop it first with cube stop ID. Prints "removed task NAME (ID)". CUBE_TOKEN is
sent when set.

${taskNaming}`,
  flags: { ...managerFlag },
  operand: 'finished-task',
  async run({ positionals, flags }) {
    if (positionals.length === 0) throw new UsageError('which task? give its ID: cube rm ID (cube status --state completed,failed lists them)');
    if (positionals.length > 1) throw new UsageError(`removes one task at a time, got ${positionals.length}: ${positionals.join(' ')}`);
    const client = ManagerClient.from(flags);
    const task = await withTask(client, positionals[0]!, (id) => client.task(id));
    if (!isFinished(task)) {
      throw new Error(
        `task ${task.Name} (${shortId(task)}) is ${stateLabel(task)}: cube rm removes finished tasks only; stop it first with: cube stop ${shortId(task)}`,
      );
    }
    await client.remove(`/tasks/${encodeURIComponent(task.ID)}?forget=true`, `task ${task.ID} is not removed yet`);
    process.stdout.write(`removed task ${task.Name} (${task.ID})\n`);
    return 0;
  },
};
