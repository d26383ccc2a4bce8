import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import { ManagerClient } from '../manager-client.js';

export const gcCommand: Command = {
  summary: 'prune finished tasks now, as the retention sweep would (cube gc)',
  usage: 'cube gc [flags]',
  about: `
Runs a retention sweep now (POST /gc): finished tasks (Completed, or Failed for
good) that finished more than CUBE_RETENTION ago, and the oldest beyond
CUBE_RETENTION_MAX, are removed from the manager's memory and store, and every
worker sweeps its own. Nothing that is not finished is pruned. Prints how many
went and how many are kept. CUBE_TOKEN is sent when set.`,
  flags: { ...managerFlag },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new UsageError(`cube gc takes no arguments, got: ${positionals.join(' ')}`);
    const swept = await ManagerClient.from(flags).gc();
    process.stdout.write(`pruned ${swept.Pruned} finished task(s); ${swept.Kept} kept; ${swept.PrunedTotal} pruned in all\n`);
    return 0;
  },
};
