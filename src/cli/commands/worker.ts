import type { Command } from '../command.js';
import { serverFlags, startServer } from '../serve.js';

export const workerCommand: Command = {
  summary: 'run a worker: it runs tasks as Docker containers (default 127.0.0.1:5555)',
  usage: 'cube worker [flags]',
  about: `
Runs a worker: the worker API of docs/api.md on HOST:PORT. Docker is reached as
the Docker CLI reaches it (DOCKER_HOST, else the local socket). Its name must be
unique among the workers that share a Docker engine: its containers carry it.
With --join HOST:PORT,… (CUBE_JOIN) it registers with the cluster through any of
those managers and takes tasks at once; no manager needs to name it.`,
  flags: {
    host: { type: 'string', value: 'HOST', help: 'where the worker listens (CUBE_HOST; default 127.0.0.1)' },
    port: { type: 'string', value: 'PORT', help: 'its port (CUBE_PORT; default 5555)' },
    ...serverFlags.name,
  },
  settings: ['worker'],
  run: (args) => startServer('worker', args),
};
