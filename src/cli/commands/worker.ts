import { readSettings, settingsHelp } from '../../config/settings.js';
import { startWorker } from '../../worker/start.js';
import type { Command } from '../command.js';
import { explainListenErrors, listenAddress, untilStopped } from '../serve.js';

export const workerCommand: Command = {
  switches: ['inspect'],
  summary: 'run a worker: it runs tasks as Docker containers (default 127.0.0.1:5555)',
  usage: `cube worker [--host HOST] [--port PORT] [--name NAME] [--join MANAGER[,MANAGER…]] [settings]

Runs a worker: the worker API of docs/api.md on HOST:PORT (CUBE_HOST, CUBE_PORT;
default 127.0.0.1:5555). NAME (CUBE_WORKER_NAME; default <hostname>:<port>) must be
unique among the workers that share a Docker engine: containers carry it.
Docker is reached as the Docker CLI reaches it (DOCKER_HOST, else the local socket).
With --join host:port,… (CUBE_JOIN) it registers with the cluster through any
of those managers and takes tasks at once; no manager needs to name it.

Settings (flag, variable, meaning):
${settingsHelp()}`,
  async run({ flags }) {
    const { host, port } = listenAddress(flags, { env: 'CUBE_' }, 5555);
    const settings = readSettings(flags);
    const name = flags['name'] ?? process.env['CUBE_WORKER_NAME'];
    const worker = await explainListenErrors(startWorker({ host, port, name, settings }));
    const stopped = untilStopped(worker.close); // before saying we listen: a signal may follow at once
    process.stdout.write(`cube: worker ${worker.name} listening on ${worker.url}\n`);
    if (worker.inspectUrl) process.stdout.write(`cube: inspector at ${worker.inspectUrl}\n`);
    return stopped;
  },
};
