// `cube node volumes WORKER`: the named volumes a worker made for its tasks
// (GET /nodes/{name}/volumes), one line each with the tasks that use it. They
// are removed through the API only (DELETE /nodes/{name}/volumes/{volume}),
// so that deleting data stays a step of its own.
import type { ManagerClient } from '../manager-client.js';
import type { NodeAction } from './node-action.js';

export const nodeVolumes: NodeAction = {
  summary: 'lists the named volumes it holds, and the tasks using each (GET /nodes/{name}/volumes)',
  async run(client: ManagerClient, name: string) {
    const volumes = await client.call<{ Name: string; Tasks: string[] }[]>('GET', `/nodes/${encodeURIComponent(name)}/volumes`);
    if (volumes.length === 0) return `worker ${name} holds no volumes`;
    return volumes.map((v) => `${v.Name}  ${v.Tasks.length > 0 ? `used by ${v.Tasks.join(', ')}` : 'unused'}`).join('\n');
  },
};
