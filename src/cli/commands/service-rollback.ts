import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { rollout, rolloutFlags } from '../rollout-follow.js';
import { oneService } from '../service-args.js';
import { ServiceApi } from '../service-client.js';

export const serviceRollbackCommand: Command = {
  summary: 'go back to the version before and follow until it is back',
  usage: 'cube service rollback NAME [flags]',
  about: `
Rolls service NAME back (POST /services/NAME/rollback): during a rollout, or
after one paused or failed, to the version that was healthy before it; from a
stable service, to the version that succeeded before the one it runs. Then
follows it until every copy runs that version (exit 0) or the rollback failed
(exit 1). A service with nothing to go back to is refused (exit 1).
CUBE_TOKEN is sent when set.`,
  flags: { ...rolloutFlags, ...managerFlag },
  operand: 'service',
  async run({ positionals, flags }) {
    const name = oneService(positionals, 'rollback', 'rolls back');
    const api = new ServiceApi(ManagerClient.from(flags));
    return rollout(api, name, () => api.rollback(name), 'rollback', flags, 'service rollback');
  },
};
