// `cube node`'s rows of managers, when several share etcd (docs/ha.md): which
// one leads, and where each is.
import type { ManagerView } from '../manager/views/manager-view.js';
import type { NodeView } from '../manager/views/node-view.js';
import { ago } from './format.js';
import { table } from './table.js';

export const isManager = (node: NodeView | ManagerView): node is ManagerView => node.Role === 'manager';

export function managerTable(managers: readonly ManagerView[], now: number = Date.now()): string {
  const rows = managers.map((m) => [m.Name, m.Address, m.State, m.Since ? `${ago(m.Since, now)}` : '']);
  return table(['MANAGER', 'ADDRESS', 'ROLE', 'STARTED'], rows);
}
