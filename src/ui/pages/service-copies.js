// @ts-check
// A service's copies on its page: the tasks that hold or leave its slots (not
// Completed), by slot, the older copy of a slot first, each with its version,
// state, health and worker, its endpoint while it takes requests, and a link
// to its task's page.
import { $, el } from '../dom.js';
import { clock } from '../format.js';
import { endpoints, tasks } from '../store.js';
import { pageLink } from '../views/page-link.js';
import { stateBadge } from '../views/state-badge.js';

/** @typedef {import('../store.js').Task} Task */

/**
 * When a copy became healthy, as its service judges it (docs/spec.md §9):
 * Running and, with a HealthCheck, since its first passed check after it
 * started (or after its worker restarted); without one, Running counts. ""
 * while it is not healthy.
 * @param {Task} task
 */
function healthySince(task) {
  if (task.StateName !== 'running') return '';
  const started = task.Events.findLastIndex((e) => e.Type === 'Started' || e.Type === 'Worker Restarted');
  if (!task.HealthCheck) return task.Events[started]?.Time ?? task.StartTime;
  return task.Events.find((e, i) => i > started && e.Type === 'Healthy')?.Time ?? '';
}

/** @param {Task} task */
function healthCell(task) {
  const since = healthySince(task);
  if (since)
    return el('td', { class: 'healthy', text: 'healthy', title: `since ${clock(since)}${task.HealthCheck ? '' : ' (no health check: Running counts)'}` });
  if (task.StateName === 'running') return el('td', { class: 'muted', text: 'checking', title: `health check ${task.HealthCheck} not passed yet` });
  return el('td', { class: 'muted', text: '—' });
}

/** @param {Task} task @param {import('../store.js').Endpoint[] | undefined} known */
function endpointCell(task, known) {
  if (!known) return el('td', { class: 'muted', text: '…', title: 'not known yet' });
  const endpoint = known.find((e) => e.Task === task.ID);
  return endpoint ? el('td', { class: 'mono', text: `${endpoint.HostIp}:${endpoint.HostPort}` }) : el('td', { class: 'muted', text: '—' });
}

/** @param {Task} a @param {Task} b */
const bySlot = (a, b) => a.Slot - b.Slot || (a.SubmitTime || '').localeCompare(b.SubmitTime || '') || a.ID.localeCompare(b.ID);

/** @param {string} name the service */
export function renderCopies(name) {
  const copies = [...tasks.values()].filter((t) => t.Service === name && t.StateName !== 'completed').sort(bySlot);
  const known = endpoints.get(name);
  const body = $('#service-copies tbody');
  body.replaceChildren(
    ...copies.map((task) =>
      el(
        'tr',
        { 'data-task-id': task.ID, 'data-state': task.StateName },
        el('td', { class: 'num', text: String(task.Slot) }),
        el('td', { class: 'name' }, pageLink('task', task.ID, task.Name), el('div', { class: 'mono muted small', text: task.ID.slice(0, 8), title: task.ID })),
        el('td', { class: 'num', text: String(task.ServiceVersion) }),
        el('td', {}, stateBadge(task.StateName)),
        healthCell(task),
        el('td', { class: 'worker nowrap', text: task.Worker || '—' }),
        endpointCell(task, known),
      ),
    ),
  );
  if (copies.length === 0) body.append(el('tr', {}, el('td', { class: 'muted', colSpan: 7, text: 'no copies' })));
}
