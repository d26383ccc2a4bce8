import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ManagerClient } from '../manager-client.js';
import { withTask } from '../resolve.js';
import { statusTable, taskDetail } from '../views.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const statusCommand: Command = {
  summary: 'show tasks: a table of all, or one task with its history (cube status [ID])',
  usage: `cube status [ID] [--json] [--limit N [--continue TOKEN]] [-m HOST:PORT]

Without ID: every task the manager knows, one row each, in the order they came:
ID, NAME, CREATED, STATE, CONTAINER, IMAGE, RESTARTS, WORKER, then how many
finished tasks were pruned (CUBE_RETENTION, CUBE_RETENTION_MAX).
With ID: that task's fields (worker, container, ports, times, reason) and its
history. ID may be the start of an ID or a task's name, when only one task matches.

  --json             print the manager's JSON (GET /tasks or GET /tasks/ID) instead
  --limit N          only the first N tasks (one page); the command for the next page follows
  --continue TOKEN   the page after the one that gave TOKEN (with --limit)
  -m, --manager H:P  the manager (CUBE_MANAGER; default localhost:5556)

CUBE_TOKEN is sent as the bearer token when set.`,
  switches: ['json'],
  async run({ positionals, flags }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one task ID, got ${positionals.length}: ${positionals.join(' ')}`);
    const client = ManagerClient.from(flags);
    const id = positionals[0];
    if (id === undefined) {
      const limit = flags['limit'] === undefined ? undefined : Number(flags['limit']);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10_000)) throw new UsageError(`--limit: expected a whole number 1…10000 (tasks per page), got ${JSON.stringify(flags['limit'])}`);
      if (flags['continue'] !== undefined && limit === undefined) throw new UsageError('--continue goes with --limit: cube status --limit N --continue TOKEN');
      const { tasks, pruned, next } = limit === undefined ? { ...(await client.allTasks()), next: '' } : await client.page(limit, flags['continue'] ?? '');
      if (flags['json'] !== undefined) {
        process.stdout.write(json(tasks));
        return 0;
      }
      process.stdout.write(statusTable(tasks));
      if (pruned > 0) process.stdout.write(`${pruned} finished task(s) pruned so far (kept for CUBE_RETENTION, at most CUBE_RETENTION_MAX); cube gc prunes now\n`);
      if (next) process.stdout.write(`more: cube status --limit ${limit} --continue ${next}\n`);
      return 0;
    }
    const task = await withTask(client, id, (x) => client.task(x));
    process.stdout.write(flags['json'] !== undefined ? json(task) : taskDetail(task));
    return 0;
  },
};
