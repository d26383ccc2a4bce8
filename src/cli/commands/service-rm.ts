import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { oneService } from '../service-args.js';
import { ServiceApi } from '../service-client.js';

export const serviceRmCommand: Command = {
  summary: 'delete a service and stop every copy of it',
  usage: 'cube service rm NAME [flags]',
  about: `
Deletes service NAME (DELETE /services/NAME): every copy is stopped and its
container removed, and the service is forgotten. Prints once the workers have
confirmed the stops; when one has not in time (it is down, say), the manager
keeps the stops and carries them out when it answers, and says so (exit 0).
CUBE_TOKEN is sent when set.`,
  flags: { ...managerFlag },
  operand: 'service',
  async run({ positionals, flags }) {
    const name = oneService(positionals, 'rm', 'deletes');
    const removal = await new ServiceApi(ManagerClient.from(flags)).remove(name);
    process.stdout.write(removal.confirmed ? `service ${name} is deleted, and every copy of it stopped\n` : `${removal.message}\n`);
    return 0;
  },
};
