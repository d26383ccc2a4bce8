import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ManagerClient } from '../manager-client.js';
import { withTask } from '../resolve.js';
import { statusTable, taskDetail } from '../views.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const statusCommand: Command = {
  summary: 'show tasks: a table of all, or one task with its history (cube status [ID])',
  usage: `cube status [ID] [--json] [-m HOST:PORT]

Without ID: every task the manager knows, one row each:
ID, NAME, CREATED, STATE, CONTAINER, IMAGE, RESTARTS, WORKER.
With ID: that task's fields (worker, container, ports, times, reason) and its
history. ID may be the start of an ID or a task's name, when only one task matches.

  --json             print the manager's JSON (GET /tasks or GET /tasks/ID) instead
  -m, --manager H:P  the manager (CUBE_MANAGER; default localhost:5556)

CUBE_TOKEN is sent as the bearer token when set.`,
  switches: ['json'],
  async run({ positionals, flags }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one task ID, got ${positionals.length}: ${positionals.join(' ')}`);
    const client = ManagerClient.from(flags);
    const id = positionals[0];
    if (id === undefined) {
      const tasks = await client.tasks();
      process.stdout.write(flags['json'] !== undefined ? json(tasks) : statusTable(tasks));
      return 0;
    }
    const task = await withTask(client, id, (x) => client.task(x));
    process.stdout.write(flags['json'] !== undefined ? json(task) : taskDetail(task));
    return 0;
  },
};
