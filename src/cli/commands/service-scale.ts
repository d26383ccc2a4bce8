import type { Command } from '../command.js';
import { managerFlag, outputFlags, outputOf } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { scaleArgs } from '../service-args.js';
import { ServiceApi } from '../service-client.js';
import { commandLine } from '../service-views.js';

export const serviceScaleCommand: Command = {
  summary: 'change how many copies a service keeps running (cube service scale web 5)',
  usage: 'cube service scale NAME N [flags]',
  about: `
Sets how many copies service NAME keeps running to N (POST /services/NAME/scale;
NAME=N, as docker service scale takes it, works too):
a scale up starts copies in the new slots at once, with the version the service
wants; a scale down takes the highest slots out of the endpoints and stops them.
It returns once the manager has stored it: cube service ps NAME shows the
copies. CUBE_TOKEN is sent when set.`,
  flags: { ...outputFlags, ...managerFlag },
  operand: 'service',
  async run({ positionals, flags }) {
    const { name, count } = scaleArgs(positionals);
    const output = outputOf(flags);
    const service = await new ServiceApi(ManagerClient.from(flags)).scale(name, count);
    process.stdout.write(output === 'json' ? `${JSON.stringify(service, null, 2)}\n` : `${commandLine(service)}; cube service ps ${service.Name} shows them\n`);
    return 0;
  },
};
