import type { Command } from '../command.js';
import { managerFlag, outputFlags, outputOf } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { oneService } from '../service-args.js';
import { ServiceApi } from '../service-client.js';
import { serviceDetail } from '../service-views.js';

export const serviceInspectCommand: Command = {
  summary: 'show one service: its state, settings, versions and history',
  usage: 'cube service inspect NAME [flags]',
  about: `
Service NAME in full (GET /services/NAME): its state, the version it wants and
the last stable one, healthy and running copies, image, health check, how it
rolls out (Update) and its ShutdownDelay, the last deployment and why it did
not succeed, the versions it keeps, and its history. -o json prints the
manager's answer as it is. CUBE_TOKEN is sent when set.`,
  flags: { ...outputFlags, ...managerFlag },
  operand: 'service',
  async run({ positionals, flags }) {
    const name = oneService(positionals, 'inspect', 'shows');
    const output = outputOf(flags);
    const service = await new ServiceApi(ManagerClient.from(flags)).get(name);
    process.stdout.write(output === 'json' ? `${JSON.stringify(service, null, 2)}\n` : serviceDetail(service));
    return 0;
  },
};
