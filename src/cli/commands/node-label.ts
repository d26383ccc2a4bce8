// `cube node label WORKER key=value… key-…`: sets or removes a worker's labels
// (POST /nodes/{name}/labels), as kubectl label does; durable like a drain.
import { UsageError } from '../args.js';
import type { ManagerClient } from '../manager-client.js';
import { labelsText } from '../views.js';
import { parseLabel } from '../../vocabulary/labels.js';
import type { NodeAction } from './node-action.js';

export const nodeLabel: NodeAction = {
  summary: 'KEY=VALUE… sets labels, KEY- removes one; kept until changed again (POST /nodes/{name}/labels)',
  operands: 'many',
  async run(client: ManagerClient, name: string, rest: string[]) {
    if (rest.length === 0) throw new UsageError('cube node label WORKER takes the labels to change: key=value to set one, key- to remove one');
    const edits: Record<string, string | null> = {};
    for (const text of rest) {
      const label = parseLabel(text, true);
      if (typeof label === 'string') throw new UsageError(label);
      edits[label[0]] = label[1];
    }
    const node = await client.label(name, edits);
    return `worker ${node.Name} is labelled ${labelsText(node.Labels)}`;
  },
};
