import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ManagerClient } from '../manager-client.js';

export const nodeDrainCommand: Command = {
  summary: 'take a worker out of service: its tasks move to other workers, and it takes no new ones',
  usage: `cube node drain WORKER [-m HOST:PORT]

Drains WORKER (its NAME in cube node): the manager places each of its tasks
on another worker and stops the copy on WORKER, and places nothing new on it.
The drain is kept across restarts and leader changes. A drained worker that
joined can then be forgotten with cube node rm WORKER.
POST /nodes/{name}/drain; docs/ha.md tells more.

  -m, --manager H:P  the manager (CUBE_MANAGER; default localhost:5556)`,
  async run({ positionals, flags }) {
    if (positionals.length !== 1) throw new UsageError(`takes one worker name (see: cube node), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    const name = positionals[0]!;
    const node = await ManagerClient.from(flags).drain(name);
    process.stdout.write(`worker ${node.Name} is draining: its tasks move to other workers (cube status shows where), and it takes no new ones\n`);
    return 0;
  },
};
