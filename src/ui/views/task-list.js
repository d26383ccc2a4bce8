// @ts-check
// The task list: a row per task, newest first (by SubmitTime), changed in
// place as the manager reports, its ages ticking every second. A row (a click,
// or Enter on it) shows its task's page.
import { $, el } from '../dom.js';
import { age, count } from '../format.js';
import { go, shown } from '../route.js';
import { tasks } from '../store.js';
import { stateBadge } from './state-badge.js';

/** @typedef {import('../store.js').Task} Task */

/** @type {Map<string, HTMLElement>} */
const rows = new Map();

/** @param {HTMLElement} row @param {boolean} selected */
function mark(row, selected) {
  row.classList.toggle('selected', selected);
  row.setAttribute('aria-selected', String(selected));
}

function showCount() {
  $('#no-tasks').hidden = tasks.size > 0;
  $('#task-count').textContent = count(tasks.size, 'task');
}

/** @param {Task} task */
export function renderRow(task) {
  let row = rows.get(task.ID);
  const fresh = !row;
  if (!row) {
    row = el('tr', { tabIndex: 0, 'data-task-id': task.ID });
    row.addEventListener('click', () => go('task', task.ID));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        go('task', task.ID);
      }
    });
    rows.set(task.ID, row);
  }
  row.setAttribute('data-state', task.StateName);
  mark(row, task.ID === shown('task'));
  row.replaceChildren(
    el(
      'td',
      { class: 'name' },
      el('div', { text: task.Name || '(no name)' }),
      el('div', { class: 'mono muted small', text: task.ID.slice(0, 8), title: task.ID }),
    ),
    el('td', {}, stateBadge(task.StateName)),
    el('td', { class: 'worker nowrap', text: task.Worker || '—' }),
    el('td', { class: 'num', text: String(task.RestartCount) }),
    el('td', { class: 'num age', text: age(task.SubmitTime), 'data-time': task.SubmitTime }),
  );
  if (fresh) placeRow(row, task);
  showCount();
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
  for (const [id, row] of rows) {
    if (!tasks.has(id)) {
      row.remove();
      rows.delete(id);
    }
  }
  for (const task of [...tasks.values()].sort(newer)) renderRow(task);
  $('#tasks tbody').replaceChildren(...[...tasks.values()].sort(newer).map((t) => /** @type {HTMLElement} */ (rows.get(t.ID))));
  showCount();
}

/** Marks the row of the task the address shows, and only that one. */
export function markSelected() {
  const id = shown('task');
  for (const [rowId, row] of rows) mark(row, rowId === id);
}

/** The ages tick once a second by themselves, without drawing the rows again. */
export function tickAges() {
  setInterval(() => {
    const now = Date.now();
    for (const cell of document.querySelectorAll('#tasks td.age')) cell.textContent = age(cell.getAttribute('data-time'), now);
  }, 1000);
}
