import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ManagerClient } from '../manager-client.js';
import { nodeTable } from '../views.js';
import { isManager, managerTable } from '../manager-table.js';
import type { NodeView } from '../../manager/node-view.js';

export const nodeCommand: Command = {
  summary: "show the workers: state, memory, disk, CPU, tasks, last heartbeat",
  usage: `cube node [--json] [-m HOST:PORT]

One row per worker of the manager: NAME, ADDRESS, PROTOCOL (cube, or book for
a worker that speaks the book's protocol; unknown before its first heartbeat),
STATE (up, suspect, down, unknown; ", draining" once drained), MEMORY (available/total), DISK (free/total), CPU (use of all cores),
TASKS, LAST SEEN (its last heartbeat), and PROBLEM when a worker is not up.

  --json             print the manager's JSON (GET /nodes) instead
  -m, --manager H:P  the manager (CUBE_MANAGER; default localhost:5556)

With several managers on etcd (docs/ha.md), a table of the managers comes
first: MANAGER, ADDRESS, ROLE (leader or follower), STARTED.
cube node drain WORKER, cube node undrain WORKER and cube node rm WORKER take a
worker out of service and back.

CUBE_TOKEN is sent as the bearer token when set.`,
  switches: ['json'],
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new UsageError(`takes no arguments, got: ${positionals.join(' ')}`);
    const nodes = await ManagerClient.from(flags).nodes();
    if (flags['json'] !== undefined) {
      process.stdout.write(`${JSON.stringify(nodes, null, 2)}\n`);
      return 0;
    }
    const managers = nodes.filter(isManager);
    const workers = nodes.filter((n): n is NodeView => !isManager(n));
    process.stdout.write(`${managers.length > 0 ? `${managerTable(managers)}\n` : ''}${nodeTable(workers)}`);
    return 0;
  },
};
