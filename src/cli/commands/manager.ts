import { readSettings, settingsHelp } from '../../config/settings.js';
import { startManager } from '../../manager/start.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { explainListenErrors, listenAddress, untilStopped } from '../serve.js';

export const managerCommand: Command = {
  switches: ['inspect'],
  summary: 'run a manager for workers elsewhere: cube manager --workers host:port,… (default 127.0.0.1:5556)',
  usage: `cube manager --workers HOST:PORT[,HOST:PORT…] [--host HOST] [--port PORT] [settings]

Runs a manager: the manager API of docs/api.md on HOST:PORT (CUBE_MANAGER_HOST,
CUBE_MANAGER_PORT; default 127.0.0.1:5556), placing tasks on the workers named by
--workers (CUBE_WORKERS), each a running \`cube worker\`.

Settings (flag, variable, meaning):
${settingsHelp()}`,
  async run({ flags }) {
    const list = flags['workers'] ?? process.env['CUBE_WORKERS'] ?? '';
    const workers = list.split(',').filter((w) => w.trim() !== '');
    if (workers.length === 0) throw new UsageError('--workers is required: the workers to place tasks on, like --workers 127.0.0.1:5555,10.0.0.2:5555');
    const { host, port } = listenAddress(flags, { env: 'CUBE_MANAGER_' }, 5556);
    const manager = await explainListenErrors(startManager({ host, port, workers, settings: readSettings(flags) }));
    const stopped = untilStopped(manager.close); // before saying we listen: a signal may follow at once
    process.stdout.write(`cube: manager listening on ${manager.url} with workers ${workers.join(', ')}\n`);
    if (manager.inspectUrl) process.stdout.write(`cube: inspector at ${manager.inspectUrl}\n`);
    return stopped;
  },
};
