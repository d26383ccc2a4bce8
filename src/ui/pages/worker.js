// @ts-check
// The worker page (#node=<name>): its liveness now and the changes this page
// saw, what it reports of itself, its stats over the last minutes (read with
// GET /nodes, cluster-poll.js), the tasks placed on it, and what can be done
// to it: drain or undrain, and forget one that joined (drained, or down).
// A worker has no state machine the page draws: the panel hides.
import { actionButton, drainNode, removeNode, taskButtons, undrainNode } from '../actions.js';
import { $, el } from '../dom.js';
import { age, bytes, clock, when } from '../format.js';
import { outcomeLine } from '../outcomes.js';
import { liveness, nodes, samples, tasks } from '../store.js';
import { fact } from '../views/facts.js';
import { pageLink } from '../views/page-link.js';
import { sparkline } from '../views/sparkline.js';
import { stateBadge } from '../views/state-badge.js';
import { itemPage } from './item-page.js';
import { hideMachine } from './machine-diagram.js';

/** @typedef {import('../store.js').NodeView} NodeView */

/** @param {string} state a worker's liveness */
const livenessBadge = (state) => el('span', { class: `badge node-badge node-${state}`, text: state, 'data-state': state });

/** @param {NodeView} node */
function renderHead(node) {
  const page = $('#worker');
  page.setAttribute('data-node', node.Name);
  page.setAttribute('data-state', node.State);
  page.setAttribute('data-draining', String(node.Draining));
  $('#worker-name').textContent = node.Name;
  $('#worker-summary').textContent = `${node.Address} · ${node.Protocol} protocol${node.Joined ? ' · joined' : ''}${node.Draining ? ' · draining' : ''}`;
  $('#worker-state').replaceWith(Object.assign(livenessBadge(node.State), { id: 'worker-state' }));
  $('#worker-actions').replaceChildren(
    node.Draining ? actionButton('undrain', 'Undrain', () => undrainNode(node)) : actionButton('drain', 'Drain', () => drainNode(node)),
    ...(node.Joined ? [actionButton('remove', 'Forget', () => removeNode(node))] : []),
  );
  $('#worker-outcome').replaceChildren(outcomeLine(`node:${node.Name}`));
  const reason = $('#worker-reason');
  reason.hidden = !node.Problem;
  reason.textContent = node.Problem;
  $('#worker-facts').replaceChildren(
    ...fact('Liveness', `${node.State} since ${when(node.Since)}`),
    ...fact('Last heard', when(node.LastSeen)),
    ...fact('Engine', node.Runtime || '—'),
    ...fact('CPUs', String(node.CpuCount || '—')),
    ...fact('Memory', node.MemoryTotal ? `${bytes(node.MemoryAvailable)} free of ${bytes(node.MemoryTotal)}` : '—'),
    ...fact('Disk', node.DiskTotal ? `${bytes(node.DiskFree)} free of ${bytes(node.DiskTotal)}` : '—'),
    ...fact('Reserved', `${node.Reserved.Tasks} tasks, ${node.Reserved.Cpu} CPUs, ${bytes(node.Reserved.Memory)}`),
    ...fact('Takes tasks', node.Draining ? 'no: drained' : node.State === 'up' ? 'yes' : `not while ${node.State}`),
  );
}

/** @param {NodeView} node */
function renderStats(node) {
  const list = samples.get(node.Name) ?? [];
  const points = (/** @type {(s: import('../store.js').Sample) => number} */ pick) => list.map((s) => ({ at: s.at, value: pick(s) }));
  const memoryTotal = Math.max(0, ...list.map((s) => s.memoryTotal));
  $('#worker-stats').replaceChildren(
    sparkline(
      'CPU',
      points((s) => s.cpu * 100),
      100,
      (v) => `${v.toFixed(0)} %`,
      'cpu',
    ),
    sparkline(
      'Memory used',
      points((s) => s.memoryUsed),
      memoryTotal,
      (v) => bytes(v),
      'memory',
    ),
    sparkline(
      'Load (1 min)',
      points((s) => s.load),
      node.CpuCount || 1,
      (v) => v.toFixed(2),
      'load',
    ),
    sparkline(
      'Tasks',
      points((s) => s.tasks),
      1,
      (v) => String(v),
      'tasks',
    ),
  );
  const first = list[0];
  $('#worker-stats-span').textContent = first ? `the last ${age(new Date(first.at).toISOString())}, read every 5 s by this page` : 'not read yet';
}

/** Newest first; a state the page did not see is not invented. @param {NodeView} node */
function renderLiveness(node) {
  const seen = [...(liveness.get(node.Name) ?? [])].reverse();
  $('#worker-liveness').replaceChildren(
    ...seen.map((change) =>
      el(
        'li',
        { 'data-state': change.state },
        el('time', { class: 'mono', text: clock(change.at), dateTime: change.at }),
        livenessBadge(change.state),
        el('span', { class: 'muted small', text: change.problem }),
      ),
    ),
  );
}

/** Its tasks, the live ones first, then the newest. @param {NodeView} node */
function renderTasks(node) {
  const live = (/** @type {import('../store.js').Task} */ t) => (t.StateName === 'completed' ? 1 : 0);
  const mine = [...tasks.values()]
    .filter((task) => task.Worker === node.Name)
    .sort((a, b) => live(a) - live(b) || (b.SubmitTime || '').localeCompare(a.SubmitTime || ''));
  $('#worker-tasks tbody').replaceChildren(
    ...mine.map((task) =>
      el(
        'tr',
        { 'data-task-id': task.ID, 'data-state': task.StateName },
        el('td', { class: 'name' }, pageLink('task', task.ID, task.Name || task.ID.slice(0, 8))),
        el('td', {}, stateBadge(task.StateName)),
        el('td', { class: 'mono small', text: task.Image }),
        el('td', { class: 'num age', text: age(task.SubmitTime), 'data-time': task.SubmitTime }),
        el('td', { class: 'actions' }, el('div', { class: 'buttons' }, ...taskButtons(task)), outcomeLine(`task:${task.ID}`)),
      ),
    ),
  );
  $('#worker-no-tasks').hidden = mine.length > 0;
}

/** @param {NodeView} node */
function draw(node) {
  renderHead(node);
  renderStats(node);
  renderLiveness(node);
  renderTasks(node);
  hideMachine();
}

/** The Page of pages.js that shows a worker. */
export const workerPage = itemPage('#worker', nodes, draw);
