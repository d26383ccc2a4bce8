import type { Command } from '../command.js';
import { startServer } from '../serve.js';

export const managerCommand: Command = {
  summary: 'run a manager for workers elsewhere (default 127.0.0.1:5556); several on etcd for high availability',
  usage: 'cube manager [--workers HOST:PORT[,HOST:PORT…]] [flags]',
  about: `
Runs a manager: the manager API of docs/api.md and the live view (/ui) on
HOST:PORT, placing tasks on the workers named by --workers (CUBE_WORKERS),
each a running \`cube worker\`, and on the workers that join it
(\`cube worker --join HOST:PORT\`). With --store etcd --etcd http://host:2379,…
several managers share one cluster: one leads, the others answer reads and
pass commands to it, and one of them takes over when it is gone (docs/ha.md).`,
  flags: {
    workers: { type: 'string', value: 'LIST', help: "workers that do not join (the book's), host:port,host:port (CUBE_WORKERS)" },
    host: { type: 'string', value: 'HOST', help: 'where the manager listens (CUBE_MANAGER_HOST; default 127.0.0.1)' },
    port: { type: 'string', value: 'PORT', help: 'its port (CUBE_MANAGER_PORT; default 5556)' },
  },
  settings: ['manager'],
  run: (args) => startServer('manager', args),
};
