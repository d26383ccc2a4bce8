// @ts-check
// The task list: a row per task, newest first (by SubmitTime), changed in
// place as the manager reports, its ages ticking every second, with the
// buttons of what can be done to it (restart, stop) and what came of the last
// one. A row (a click, or Enter on it) shows its task's page. The filter
// (task-filter.js) hides the rows it leaves out.
import { taskButtons } from '../actions.js';
import { $, el } from '../dom.js';
import { age, count } from '../format.js';
import { outcomeLine } from '../outcomes.js';
import { tasks } from '../store.js';
import { filtering, matches } from './task-filter.js';
import { pageRows } from './page-rows.js';
import { stateBadge } from './state-badge.js';

/** @typedef {import('../store.js').Task} Task */

const list = pageRows('task', 'data-task-id');

function showCount() {
  $('#no-tasks').hidden = tasks.size > 0;
  const shown = filtering() ? [...tasks.values()].filter(matches).length : tasks.size;
  $('#task-count').textContent = shown === tasks.size ? count(tasks.size, 'task') : `${shown} of ${count(tasks.size, 'task')}`;
  $('#no-match').hidden = shown > 0 || tasks.size === 0;
}

/** @param {Task} task */
export function renderRow(task) {
  drawRow(task);
  showCount();
}

/** @param {Task} task */
function drawRow(task) {
  const { row, fresh } = list.row(task.ID);
  row.setAttribute('data-state', task.StateName);
  row.replaceChildren(
    el(
      'td',
      { class: 'name' },
      el('div', { text: task.Name || '(no name)' }),
      el('div', { class: 'mono muted small', text: task.ID.slice(0, 8), title: task.ID }),
    ),
    el('td', {}, stateBadge(task.StateName)),
    el('td', { class: 'worker', text: task.Worker || '—' }),
    el('td', { class: 'num', text: String(task.RestartCount) }),
    el('td', { class: 'num age', text: age(task.SubmitTime), 'data-time': task.SubmitTime }),
    el('td', { class: 'actions' }, el('div', { class: 'buttons' }, ...taskButtons(task)), outcomeLine(`task:${task.ID}`)),
  );
  row.hidden = !matches(task);
  if (fresh) placeRow(row, task);
}

/** Newest first, by SubmitTime. */
/** @param {Task} a @param {Task} b */
const newer = (a, b) => (b.SubmitTime || '').localeCompare(a.SubmitTime || '') || a.ID.localeCompare(b.ID);

/** @param {HTMLElement} row @param {Task} task */
function placeRow(row, task) {
  const body = $('#tasks tbody');
  const next = [...body.children].find((other) => {
    const t = tasks.get(other.getAttribute('data-task-id') ?? '');
    return t && newer(task, t) < 0;
  });
  body.insertBefore(row, next ?? null);
}

/** Every row again, after a snapshot: the rows of tasks that are gone go too. */
export function renderTasks() {
  list.prune((id) => tasks.has(id));
  for (const task of [...tasks.values()].sort(newer)) drawRow(task);
  $('#tasks tbody').replaceChildren(...[...tasks.values()].sort(newer).map((t) => /** @type {HTMLElement} */ (list.rows.get(t.ID))));
  showCount();
}

/** Shows the rows the filter keeps, after it changed. */
export function applyFilter() {
  for (const [id, row] of list.rows) {
    const task = tasks.get(id);
    row.hidden = !task || !matches(task);
  }
  showCount();
}

/** Marks the row of the task the address shows, and only that one. */
export const markSelected = list.markSelected;

/** The ages tick once a second by themselves, without drawing the rows again. */
export function tickAges() {
  setInterval(() => {
    const now = Date.now();
    for (const cell of document.querySelectorAll('#tasks td.age')) cell.textContent = age(cell.getAttribute('data-time'), now);
  }, 1000);
}
