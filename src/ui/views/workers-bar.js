// @ts-check
// The workers in the top bar: each one's liveness (up, suspect, down,
// unknown), whether it is drained, how many tasks it holds, and its labels
// (zone=a disk=ssd) when it has some; each a link to its page (#node=<name>).
import { $, el } from '../dom.js';
import { clock, count } from '../format.js';
import { shown } from '../route.js';
import { nodes, tasks } from '../store.js';
import { pageLink } from './page-link.js';
import { refreshWorkerChoices } from './task-filter.js';

/** The states in which a task is on its worker (as the manager counts them). */
const onWorker = new Set(['scheduled', 'running', 'restarting', 'stopping']);

/**
 * The worker's labels as one muted span, `key=value` in key order; nothing when it has none.
 * @param {{ Labels?: Record<string, string> }} node
 */
function labelsOf(node) {
  const labels = Object.entries(node.Labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return labels.length === 0 ? [] : [el('span', { class: 'muted labels', 'data-labels': '', text: labels.map(([k, v]) => `${k}=${v}`).join(' ') })];
}

/** The bar again, and the workers the task filter offers. */
export function renderWorkers() {
  refreshWorkerChoices();
  // node.updated comes only when a worker's liveness changes, so its stats and
  // reservations in the stream go stale: the task count is the page's own.
  const counts = new Map();
  for (const task of tasks.values()) if (onWorker.has(task.StateName)) counts.set(task.Worker, (counts.get(task.Worker) ?? 0) + 1);
  $('#nodes').replaceChildren(
    ...[...nodes.values()].map((node) => {
      const link = pageLink('node', node.Name, '');
      link.append(
        el('span', { class: 'dot' }),
        el('span', { text: node.Name }),
        el('span', { class: 'muted', text: `${node.State}${node.Draining ? ' · drained' : ''} · ${count(counts.get(node.Name) ?? 0, 'task')}` }),
        ...labelsOf(node),
      );
      return el(
        'li',
        {
          class: `node node-${node.State}${shown('node') === node.Name ? ' selected' : ''}`,
          title: node.Problem || `${node.Name} at ${node.Address}: ${node.State} since ${clock(node.Since)}`,
          'data-node': node.Name,
          'data-state': node.State,
        },
        link,
      );
    }),
  );
}
