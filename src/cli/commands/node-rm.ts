// `cube node rm WORKER`: forgets a worker that joined and is drained or down (DELETE /nodes/{name}).
import type { ManagerClient } from '../manager-client.js';
import type { NodeAction } from './node-action.js';

export const nodeRm: NodeAction = {
  summary: 'forgets a worker that joined and is drained or down; what it had is placed again (DELETE /nodes/{name})',
  async run(client: ManagerClient, name: string) {
    await client.removeNode(name);
    return `worker ${name} is forgotten`;
  },
};
