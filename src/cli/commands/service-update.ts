import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import { ManagerClient, refusing } from '../manager-client.js';
import { rollout, rolloutFlags } from '../rollout-follow.js';
import { ServiceApi } from '../service-client.js';
import { readServiceFile } from '../service-file.js';

export const serviceUpdateCommand: Command = {
  summary: 'roll out a new definition of a service and follow it until it is done or rolled back',
  usage: 'cube service update NAME -f FILE [flags]',
  about: `
Gives service NAME the definition in FILE (PUT /services/NAME; its Name may be
left out): a new version, rolled out by health as its Update says. Then
follows the rollout, a progress line each time it moves, until every copy runs
the new version (exit 0), or it was rolled back, paused or failed (exit 1, with
the reason and what to do). The same definition as now only changes the count.
Ctrl-C or --timeout ends the following, not the rollout. CUBE_TOKEN is sent
when set.`,
  flags: {
    file: { type: 'string', short: 'f', value: 'FILE', help: 'the new definition ("-": standard input)', complete: 'file' },
    ...rolloutFlags,
    ...managerFlag,
  },
  operand: 'service',
  async run({ positionals, flags }) {
    if (positionals.length === 0) throw new UsageError('which service? give its name and new definition: cube service update NAME -f FILE');
    if (positionals.length > 1)
      throw new UsageError(`updates one service at a time, got ${positionals.length}: ${positionals.join(' ')} (the definition is -f FILE)`);
    const file = flags['file'];
    if (file === undefined || file === '') throw new UsageError(`which definition? give its file: cube service update ${positionals[0]} -f FILE`);
    const name = positionals[0]!;
    const { definition, source } = readServiceFile(file);
    const api = new ServiceApi(ManagerClient.from(flags));
    return rollout(api, name, () => refusing(api.update(name, definition), `the service in ${source}`), 'rollout', flags, 'service update');
  },
};
