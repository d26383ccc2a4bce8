import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import { ManagerClient, refusing } from '../manager-client.js';
import { rollout, rolloutFlags } from '../rollout-follow.js';
import { ServiceApi } from '../service-client.js';
import { readServiceFile } from '../service-file.js';

export const serviceCreateCommand: Command = {
  summary: 'create a service from a JSON file and follow its first rollout (cube service create -f web.json)',
  usage: 'cube service create -f FILE [flags]',
  about: `
Creates the service in FILE ("-" for standard input), as docs/spec.md §9 has
it: {"Name": "web", "Count": 3, "Task": {"Image": …}, "Update": {…}}. Then
follows its first rollout, as cube service update does, until every copy is
healthy (exit 0) or the version failed (exit 1, with the reason). With -d,
returns once the manager has stored it. CUBE_TOKEN is sent when set.`,
  flags: {
    file: { type: 'string', short: 'f', value: 'FILE', help: 'the service to create ("-": standard input)', complete: 'file' },
    ...rolloutFlags,
    ...managerFlag,
  },
  async run({ positionals, flags }) {
    const file = flags['file'] ?? positionals[0];
    if (file === undefined || file === '') throw new UsageError('which service? give its file: cube service create -f service.json');
    const extra = flags['file'] !== undefined ? positionals : positionals.slice(1);
    if (extra.length) throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')} (one service file: -f FILE)`);
    const { definition, source } = readServiceFile(file);
    const api = new ServiceApi(ManagerClient.from(flags));
    const name = typeof definition['Name'] === 'string' ? definition['Name'] : '';
    return rollout(api, name, () => refusing(api.create(definition), `the service in ${source}`), 'rollout', flags, 'service create');
  },
};
