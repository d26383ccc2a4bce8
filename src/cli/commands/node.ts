import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ManagerClient } from '../manager-client.js';
import { nodeTable } from '../views.js';

export const nodeCommand: Command = {
  summary: "show the workers: state, memory, disk, CPU, tasks, last heartbeat",
  usage: `cube node [--json] [-m HOST:PORT]

One row per worker of the manager: NAME, ADDRESS, PROTOCOL (cube, or book for
a worker that speaks the book's protocol; unknown before its first heartbeat),
STATE (up, suspect, down, unknown), MEMORY (available/total), DISK (free/total), CPU (use of all cores),
TASKS, LAST SEEN (its last heartbeat), and PROBLEM when a worker is not up.

  --json             print the manager's JSON (GET /nodes) instead
  -m, --manager H:P  the manager (CUBE_MANAGER; default localhost:5556)

CUBE_TOKEN is sent as the bearer token when set.`,
  switches: ['json'],
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new UsageError(`takes no arguments, got: ${positionals.join(' ')}`);
    const nodes = await ManagerClient.from(flags).nodes();
    process.stdout.write(flags['json'] !== undefined ? `${JSON.stringify(nodes, null, 2)}\n` : nodeTable(nodes));
    return 0;
  },
};
