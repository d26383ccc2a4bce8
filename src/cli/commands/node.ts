import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { filteredOut, filterNodes } from '../filters.js';
import { managerFlag, outputFlags, outputOf } from '../flags.js';
import { ManagerClient } from '../manager-client.js';
import { nodeTable } from '../views.js';
import { isManager, managerTable } from '../manager-table.js';
import type { NodeView } from '../../manager/views/node-view.js';
import type { NodeAction } from './node-action.js';
import { nodeDrain } from './node-drain.js';
import { nodeRm } from './node-rm.js';
import { nodeUndrain } from './node-undrain.js';
import { nodeLabel } from './node-label.js';
import { nodeVolumes } from './node-volumes.js';

/** `cube node <action> WORKER`: one line each. */
const actions: Record<string, NodeAction> = {
  drain: nodeDrain,
  undrain: nodeUndrain,
  rm: nodeRm,
  label: nodeLabel,
  volumes: nodeVolumes,
};

export const nodeCommand: Command = {
  summary: 'show the workers (and the managers, on etcd); drain, undrain, label or forget one, or list its volumes',
  usage: 'cube node [drain|undrain|rm|volumes WORKER | label WORKER KEY=VALUE… KEY-…] [flags]',
  about: `
One row per worker of the manager: NAME, ADDRESS, PROTOCOL (cube, or book for
a worker that speaks the book's protocol; unknown before its first heartbeat),
STATE (up, suspect, down, unknown; ", draining" once drained), MEMORY
(available/total), DISK (free/total), CPU (use of all cores), ALLOCATED (the
CPUs and memory its tasks ask, of what it offers: what placement counts),
TASKS, LABELS, LAST SEEN (its last heartbeat), and PROBLEM when a worker is not up. With several
managers on etcd, a table of the managers comes first: MANAGER, ADDRESS, ROLE
(leader or follower), STARTED. CUBE_TOKEN is sent when set.

To one worker (its NAME), as kubectl drain/uncordon and nomad node drain do:
${Object.entries(actions)
  .map(([name, action]) => `  cube node ${name.padEnd(8)} WORKER${action.operands ? ' …' : '  '} ${action.summary}`)
  .join('\n')}`,
  flags: {
    ...outputFlags,
    state: {
      type: 'string',
      value: 'STATE',
      help: 'only workers in these states: up, suspect, down, unknown (commas for several)',
      complete: ['up', 'suspect', 'down', 'unknown'],
    },
    ...managerFlag,
  },
  operand: Object.keys(actions),
  async run({ positionals, flags }) {
    if (positionals.length > 0) {
      const action = actions[positionals[0]!];
      if (!action)
        throw new UsageError(`unknown action ${JSON.stringify(positionals[0])}; cube node takes ${Object.keys(actions).join(', ')} WORKER, or nothing`);
      if (positionals.length < 2 || (positionals.length > 2 && !action.operands))
        throw new UsageError(
          `cube node ${positionals[0]} takes one worker name (its NAME in cube node), got ${positionals.length === 1 ? 'none' : positionals.slice(1).join(' ')}`,
        );
      process.stdout.write(`${await action.run(ManagerClient.from(flags), positionals[1]!, positionals.slice(2))}\n`);
      return 0;
    }
    const output = outputOf(flags);
    filterNodes([], flags);
    const all = await ManagerClient.from(flags).nodes();
    const managers = all.filter(isManager);
    const nodes = all.filter((n): n is NodeView => !isManager(n));
    const shown = filterNodes(nodes, flags);
    if (output === 'json') process.stdout.write(`${JSON.stringify([...shown, ...managers], null, 2)}\n`);
    else {
      const table = shown.length === 0 && nodes.length > 0 ? filteredOut('workers', nodes.length, flags) : nodeTable(shown);
      process.stdout.write(`${managers.length > 0 ? `${managerTable(managers)}\n` : ''}${table}`);
    }
    return 0;
  },
};
