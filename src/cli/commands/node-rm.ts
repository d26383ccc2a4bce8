import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ManagerClient } from '../manager-client.js';

export const nodeRmCommand: Command = {
  summary: 'forget a worker that joined and is drained or down',
  usage: `cube node rm WORKER [-m HOST:PORT]

Forgets WORKER, a worker that joined (cube worker --join) and is drained
(cube node drain) or down. What the manager still placed there is placed
again. A worker named by --workers is forgotten by taking it out of --workers.
If the worker runs and joins again, it is a new worker.
DELETE /nodes/{name}; docs/ha.md tells more.

  -m, --manager H:P  the manager (CUBE_MANAGER; default localhost:5556)`,
  async run({ positionals, flags }) {
    if (positionals.length !== 1) throw new UsageError(`takes one worker name (see: cube node), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    await ManagerClient.from(flags).removeNode(positionals[0]!);
    process.stdout.write(`worker ${positionals[0]} is forgotten\n`);
    return 0;
  },
};
