import { readSettings, settingsHelp } from '../../config/settings.js';
import { startManager } from '../../manager/start.js';
import type { Command } from '../command.js';
import { explainListenErrors, listenAddress, untilStopped } from '../serve.js';

export const startCommand: Command = {
  switches: ['inspect'],
  summary: 'run a manager and a worker in one process (what npm start runs; 5556 and 5555)',
  usage: `cube start [--manager-host H] [--manager-port P] [--worker-host H] [--worker-port P] [--name NAME] [settings]

Runs a manager (CUBE_MANAGER_HOST, CUBE_MANAGER_PORT; default 127.0.0.1:5556) and one
worker in the same process (CUBE_WORKER_HOST, CUBE_WORKER_PORT; default 127.0.0.1:5555).
Both APIs answer; the manager places tasks on the worker by message, not HTTP.

Settings (flag, variable, meaning):
${settingsHelp()}`,
  async run({ flags }) {
    const manager = listenAddress(flags, { flag: 'manager-', env: 'CUBE_MANAGER_' }, 5556);
    const worker = listenAddress(flags, { flag: 'worker-', env: 'CUBE_WORKER_' }, 5555);
    const name = flags['name'] ?? process.env['CUBE_WORKER_NAME'];
    const running = await explainListenErrors(startManager({ ...manager, local: [{ ...worker, ...(name ? { name } : {}) }], settings: readSettings(flags) }));
    const local = running.local[0]!;
    const stopped = untilStopped(running.close); // before saying we listen: a signal may follow at once
    process.stdout.write(`cube: manager listening on ${running.url}, worker ${local.name} listening on ${local.url}\n`);
    if (running.inspectUrl) process.stdout.write(`cube: inspector at ${running.inspectUrl} (open it in a browser with internet access)\n`);
    return stopped;
  },
};
