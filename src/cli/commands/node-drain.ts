// `cube node drain WORKER`: takes a worker out of service (POST /nodes/{name}/drain).
import type { ManagerClient } from '../manager-client.js';
import type { NodeAction } from './node-action.js';

export const nodeDrain: NodeAction = {
  summary: 'its tasks move to other workers, and it takes no new ones (POST /nodes/{name}/drain)',
  async run(client: ManagerClient, name: string) {
    const node = await client.drain(name);
    return `worker ${node.Name} is draining: its tasks move to other workers (cube status shows where), and it takes no new ones`;
  },
};
