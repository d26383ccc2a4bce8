// Every `cube` command, in the order `cube --help` lists them.
import type { Entry } from './command.js';
import { completionCommand } from './commands/completion.js';
import { eventsCommand } from './commands/events.js';
import { gcCommand } from './commands/gc.js';
import { logsCommand } from './commands/logs.js';
import { machinesCommand } from './commands/machines.js';
import { managerCommand } from './commands/manager.js';
import { nodeCommand } from './commands/node.js';
import { restartCommand } from './commands/restart.js';
import { rmCommand } from './commands/rm.js';
import { runCommand } from './commands/run.js';
import { serviceCommand } from './commands/service.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { tlsCommand } from './commands/tls.js';
import { versionCommand } from './commands/version.js';
import { workerCommand } from './commands/worker.js';

export const commands: Record<string, Entry> = {
  start: startCommand,
  manager: managerCommand,
  worker: workerCommand,
  run: runCommand,
  stop: stopCommand,
  restart: restartCommand,
  status: statusCommand,
  logs: logsCommand,
  rm: rmCommand,
  events: eventsCommand,
  service: serviceCommand,
  node: nodeCommand,
  gc: gcCommand,
  version: versionCommand,
  completion: completionCommand,
  machines: machinesCommand,
  tls: tlsCommand,
};
