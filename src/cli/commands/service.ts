// `cube service`: the commands of services (docs/spec.md §9), each a file of
// its own with its own flags, as docker service and nomad job have them.
import type { CommandGroup } from '../command.js';
import { serviceCreateCommand } from './service-create.js';
import { serviceInspectCommand } from './service-inspect.js';
import { serviceLsCommand } from './service-ls.js';
import { servicePsCommand } from './service-ps.js';
import { serviceRmCommand } from './service-rm.js';
import { serviceRollbackCommand } from './service-rollback.js';
import { serviceScaleCommand } from './service-scale.js';
import { serviceUpdateCommand } from './service-update.js';

export const serviceCommand: CommandGroup = {
  summary: 'keep N copies of a task running, rolled out version by version (cube service ls)',
  usage: 'cube service <command> [flags]',
  about: `
A service keeps Count copies of one task running, placed on different workers,
and rolls each new definition out by health, Parallelism copies at a time,
going back by itself when the new copies fail (docs/spec.md §9), as docker
service, nomad job and kubectl rollout do. Each command has its own --help:
cube service create --help.`,
  commands: {
    create: serviceCreateCommand,
    ls: serviceLsCommand,
    ps: servicePsCommand,
    inspect: serviceInspectCommand,
    scale: serviceScaleCommand,
    update: serviceUpdateCommand,
    rollback: serviceRollbackCommand,
    rm: serviceRmCommand,
  },
};
