// @ts-check
// The task page (#task=<id>): the task's facts (a service's copy links to its
// service's page, its worker to the worker's), what can be done to it (restart, stop), the transitions this page saw it take, its history
// (Task.Events), its output (task-logs.js) and its state machine with its
// state highlighted (machine-diagram.js).
import { taskButtons } from '../actions.js';
import { $, el } from '../dom.js';
import { clock, when } from '../format.js';
import { tasks, transitions } from '../store.js';
import { fact } from '../views/facts.js';
import { renderHistory } from '../views/history.js';
import { pageLink } from '../views/page-link.js';
import { stateBadge, stateText } from '../views/state-badge.js';
import { outcomeLine } from '../outcomes.js';
import { ports } from '../words.js';
import { itemPage } from './item-page.js';
import { drawMachine } from './machine-diagram.js';
import { followLogs, stopLogs } from './task-logs.js';

/** @typedef {import('../store.js').Task} Task */

/** @param {Task} task */
function renderFacts(task) {
  const detail = $('#detail');
  detail.setAttribute('data-task-id', task.ID);
  detail.setAttribute('data-state', task.StateName);
  $('#detail-name').textContent = task.Name || '(no name)';
  $('#detail-id').textContent = task.ID;
  $('#detail-state').replaceWith(Object.assign(stateBadge(task.StateName), { id: 'detail-state' }));
  $('#detail-actions').replaceChildren(...taskButtons(task));
  $('#detail-outcome').replaceChildren(outcomeLine(`task:${task.ID}`));
  $('#facts').replaceChildren(
    ...fact('Image', task.Image, true),
    ...(task.Service
      ? fact('Service', el('span', {}, pageLink('service', task.Service, task.Service), ` slot ${task.Slot}, version ${task.ServiceVersion}`))
      : []),
    ...fact('Worker', task.Worker ? pageLink('node', task.Worker, task.Worker) : '—'),
    ...fact('Container', task.ContainerID ? task.ContainerID.slice(0, 12) : '—', true),
    ...fact('Ports', ports(task.HostPorts) || '—', true),
    ...fact('Restarts', `${task.RestartCount}${task.RestartPolicy ? ` (policy ${task.RestartPolicy})` : ''}`),
    ...fact('Submitted', when(task.SubmitTime)),
    ...fact('Started', when(task.StartTime)),
    ...fact('Finished', when(task.FinishTime)),
    ...(task.ExitCode === null || task.ExitCode === undefined ? [] : fact('Exit code', String(task.ExitCode))),
  );
  const reason = $('#detail-reason');
  reason.hidden = !task.Reason;
  reason.textContent = task.Reason || '';
}

/** Newest first; a state the page did not see is not invented, the first line says how it was seen. @param {Task} task */
function renderTransitions(task) {
  const seen = [...(transitions.get(task.ID) ?? [])].reverse();
  $('#transitions').replaceChildren(
    ...seen.map((t) =>
      el(
        'li',
        { 'data-state': t.to },
        el('time', { class: 'mono', text: clock(t.at), dateTime: t.at }),
        t.from ? el('span', { class: 'from', text: stateText(t.from) }) : el('span', { class: 'from muted', text: t.how === 'live' ? 'new' : 'seen' }),
        el('span', { class: 'arrow', text: '→' }),
        stateBadge(t.to),
        t.how === 'live' ? '' : el('span', { class: 'muted small', text: t.how }),
      ),
    ),
  );
}

/** @param {Task} task */
function draw(task) {
  renderFacts(task);
  renderTransitions(task);
  renderHistory($('#history tbody'), task.Events);
  followLogs(task);
  drawMachine('task', task.StateName, task.Name || task.ID);
}

/** The Page of pages.js that shows a task. */
export const taskPage = itemPage('#detail', tasks, draw, stopLogs);
