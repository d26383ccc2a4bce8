import type { Command } from '../command.js';
import { serverFlags, startServer } from '../serve.js';

export const startCommand: Command = {
  summary: 'run a manager and a worker in one process (what npm start runs; 5556 and 5555)',
  usage: 'cube start [flags]',
  about: `
Runs a manager (CUBE_MANAGER_HOST, CUBE_MANAGER_PORT; default 127.0.0.1:5556) and
one worker in the same process (CUBE_WORKER_HOST, CUBE_WORKER_PORT; default
127.0.0.1:5555). Both APIs answer; the manager places tasks on the worker by
message, not HTTP. The live view is at the manager's /ui.`,
  flags: {
    'manager-host': { type: 'string', value: 'HOST', help: 'where the manager listens (CUBE_MANAGER_HOST; default 127.0.0.1)' },
    'manager-port': { type: 'string', value: 'PORT', help: 'its port (CUBE_MANAGER_PORT; default 5556)' },
    'worker-host': { type: 'string', value: 'HOST', help: 'where the worker listens (CUBE_WORKER_HOST; default 127.0.0.1)' },
    'worker-port': { type: 'string', value: 'PORT', help: 'its port (CUBE_WORKER_PORT; default 5555)' },
    ...serverFlags.name,
  },
  settings: ['worker', 'manager'],
  run: (args) => startServer('start', args),
};
