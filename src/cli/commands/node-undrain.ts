// `cube node undrain WORKER`: ends a drain (DELETE /nodes/{name}/drain), as kubectl uncordon.
import type { ManagerClient } from '../manager-client.js';
import type { NodeAction } from './node-action.js';

export const nodeUndrain: NodeAction = {
  summary: 'it takes tasks again; what moved away stays (DELETE /nodes/{name}/drain)',
  async run(client: ManagerClient, name: string) {
    const node = await client.undrain(name);
    return `worker ${node.Name} takes tasks again`;
  },
};
