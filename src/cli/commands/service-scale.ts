import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag, outputFlags, outputOf } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { ServiceApi } from '../service-client.js';
import { commandLine } from '../service-views.js';

export const serviceScaleCommand: Command = {
  summary: 'change how many copies a service keeps running (cube service scale web=5)',
  usage: 'cube service scale NAME=N [flags]',
  about: `
Sets how many copies service NAME keeps running (POST /services/NAME/scale):
a scale up starts copies in the new slots at once, with the version the service
wants; a scale down takes the highest slots out of the endpoints and stops them.
It returns once the manager has stored it: cube service ps NAME shows the
copies. CUBE_TOKEN is sent when set.`,
  flags: { ...outputFlags, ...managerFlag },
  operand: 'service',
  async run({ positionals, flags }) {
    if (positionals.length !== 1) {
      throw new UsageError(`give one service and its count, like cube service scale web=5${positionals.length ? `, not ${positionals.join(' ')}` : ''}`);
    }
    const match = /^(.*)=(\d+)$/.exec(positionals[0]!);
    if (!match || match[1] === '') {
      const name = positionals[0]!.split('=')[0] || 'NAME';
      throw new UsageError(`${JSON.stringify(positionals[0])} is not NAME=N: write the count as a whole number after "=", like cube service scale ${name}=5`);
    }
    const output = outputOf(flags);
    const service = await new ServiceApi(ManagerClient.from(flags)).scale(match[1]!, Number(match[2]));
    process.stdout.write(output === 'json' ? `${JSON.stringify(service, null, 2)}\n` : `${commandLine(service)}; cube service ps ${service.Name} shows them\n`);
    return 0;
  },
};
