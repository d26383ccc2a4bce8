import type { Command } from '../command.js';
import { managerFlag, noTruncFlag, outputFlags, outputOf } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { oneService } from '../service-args.js';
import { ServiceApi } from '../service-client.js';
import { copiesTable, deploymentDetail, noCopiesMessage } from '../service-views.js';

export const servicePsCommand: Command = {
  summary: "list a service's copies: slot, version, state, health, worker",
  usage: 'cube service ps NAME [flags]',
  about: `
The copies of service NAME (GET /tasks?service=NAME), by slot: ID (the last
group of the copy's ID, which tells copies apart; the whole ID with
--no-trunc), NAME, SLOT, VERSION, STATE,
HEALTH (healthy, starting, unhealthy, or - when not running) and WORKER; cube
status, logs and stop take the ID or the NAME. Then the last deployment, with
its reason and history when it did not simply succeed. Completed copies
(stopped by a rollout or a scale down) only with -a. CUBE_TOKEN is sent when set.`,
  flags: {
    all: { type: 'boolean', short: 'a', help: 'the Completed copies too' },
    ...noTruncFlag,
    ...outputFlags,
    ...managerFlag,
  },
  operand: 'service',
  async run({ positionals, flags }) {
    const name = oneService(positionals, 'ps', 'shows');
    const output = outputOf(flags);
    const all = flags['all'] !== undefined;
    const api = new ServiceApi(ManagerClient.from(flags));
    const service = await api.get(name);
    const copies = await api.copies(service.Name, all);
    if (output === 'json') process.stdout.write(`${JSON.stringify(copies, null, 2)}\n`);
    else
      process.stdout.write(
        `${copies.length > 0 ? copiesTable(copies, flags['no-trunc'] !== undefined) : noCopiesMessage(service, all)}${deploymentDetail(service)}`,
      );
    return 0;
  },
};
