import { readSettings, settingsHelp } from '../../config/settings.js';
import { startManager } from '../../manager/start.js';
import type { Command } from '../command.js';
import { explainListenErrors, listenAddress, untilStopped } from '../serve.js';

export const managerCommand: Command = {
  switches: ['inspect'],
  summary: 'run a manager for workers elsewhere (default 127.0.0.1:5556); several on etcd for high availability',
  usage: `cube manager [--workers HOST:PORT[,HOST:PORT…]] [--host HOST] [--port PORT] [settings]

Runs a manager: the manager API of docs/api.md on HOST:PORT (CUBE_MANAGER_HOST,
CUBE_MANAGER_PORT; default 127.0.0.1:5556), placing tasks on the workers named by
--workers (CUBE_WORKERS), each a running \`cube worker\`, and on the workers that
join it (\`cube worker --join HOST:PORT\`).

With --store etcd --etcd http://host:2379,… several managers share one
cluster: one leads, the others answer reads and pass commands to it, and one
of them takes over when it is gone (docs/ha.md).

Settings (flag, variable, meaning):
${settingsHelp()}`,
  async run({ flags }) {
    const list = flags['workers'] ?? process.env['CUBE_WORKERS'] ?? '';
    const workers = list.split(',').filter((w) => w.trim() !== '');
    const { host, port } = listenAddress(flags, { env: 'CUBE_MANAGER_' }, 5556);
    const manager = await explainListenErrors(startManager({ host, port, workers, settings: readSettings(flags) }));
    const stopped = untilStopped(manager.close); // before saying we listen: a signal may follow at once
    const listed = workers.length > 0 ? `with workers ${workers.join(', ')}` : 'with no workers yet (they join with: cube worker --join MANAGER)';
    const ha = manager.leads ? ' on etcd (one of its managers leads; cube node shows which)' : '';
    process.stdout.write(`cube: manager listening on ${manager.url} ${listed}${ha}\n`);
    if (manager.inspectUrl) process.stdout.write(`cube: inspector at ${manager.inspectUrl}\n`);
    return stopped;
  },
};
