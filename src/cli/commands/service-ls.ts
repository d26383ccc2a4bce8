import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag, outputFlags, outputOf } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { ServiceApi } from '../service-client.js';
import { serviceTable } from '../service-views.js';

export const serviceLsCommand: Command = {
  summary: 'list the services: version, state, healthy copies, the last rollout, image',
  usage: 'cube service ls [flags]',
  about: `
One row per service, by name: NAME, VERSION (the one it wants running), STATE
(stable, deploying, rolling-back, paused, failed), COPIES (healthy/count),
DEPLOYMENT (the last rollout: its version, state and progress) and IMAGE (of
that version). CUBE_TOKEN is sent when set.`,
  flags: {
    ...outputFlags,
    quiet: { type: 'boolean', short: 'q', help: 'only the names, one a line (for scripts and shell completion)' },
    ...managerFlag,
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new UsageError(`takes no arguments, got: ${positionals.join(' ')}; cube service ps NAME shows one service's copies`);
    const output = outputOf(flags);
    const quiet = flags['quiet'] !== undefined;
    if (quiet && (flags['output'] !== undefined || flags['json'] !== undefined)) throw new UsageError('-q prints names only: it goes with no -o or --json');
    const services = await new ServiceApi(ManagerClient.from(flags)).list();
    if (quiet) process.stdout.write(services.map((s) => `${s.Name}\n`).join(''));
    else process.stdout.write(output === 'json' ? `${JSON.stringify(services, null, 2)}\n` : serviceTable(services));
    return 0;
  },
};
