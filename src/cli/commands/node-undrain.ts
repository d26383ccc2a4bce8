import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ManagerClient } from '../manager-client.js';

export const nodeUndrainCommand: Command = {
  summary: 'end the drain of a worker: it takes tasks again',
  usage: `cube node undrain WORKER [-m HOST:PORT]

Ends the drain of WORKER (cube node drain), as kubectl uncordon does: the
manager places tasks on it again. The tasks that moved away stay where they
are. DELETE /nodes/{name}/drain; docs/ha.md tells more.

  -m, --manager H:P  the manager (CUBE_MANAGER; default localhost:5556)`,
  async run({ positionals, flags }) {
    if (positionals.length !== 1) throw new UsageError(`takes one worker name (see: cube node), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    const node = await ManagerClient.from(flags).undrain(positionals[0]!);
    process.stdout.write(`worker ${node.Name} takes tasks again\n`);
    return 0;
  },
};
