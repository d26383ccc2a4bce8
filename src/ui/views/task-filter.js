// @ts-check
// Which tasks the list shows: by state, by worker, and those whose name,
// image or ID holds the words searched for (each word somewhere, any case).
// The rows of the others are hidden, not dropped, so clearing the filter
// shows them at once; the choice lasts for the tab (sessionStorage).
// Hooks: #filter-state, #filter-worker, #filter-text; a row hidden by the filter is [hidden].
import { $, el } from '../dom.js';
import { nodes, tasks } from '../store.js';
import { stateNameLabels } from '../words.js';

/** @typedef {import('../store.js').Task} Task */

const KEY = 'cube.filter';

const stateSelect = () => /** @type {HTMLSelectElement} */ ($('#filter-state'));
const workerSelect = () => /** @type {HTMLSelectElement} */ ($('#filter-worker'));
const textInput = () => /** @type {HTMLInputElement} */ ($('#filter-text'));

/** Whether the list shows `task` with the filter as it is set. @param {Task} task */
export function matches(task) {
  const state = stateSelect().value;
  const worker = workerSelect().value;
  if (state && task.StateName !== state) return false;
  if (worker && task.Worker !== worker) return false;
  const haystack = `${task.Name} ${task.Image} ${task.ID}`.toLowerCase();
  return textInput()
    .value.toLowerCase()
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

/** Whether anything is filtered out. */
export const filtering = () => Boolean(stateSelect().value || workerSelect().value || textInput().value.trim());

/** @type {string} */
let workersListed = '';

/** The workers to choose from: every one the manager lists, and any a task names (a worker forgotten since). */
export function refreshWorkerChoices() {
  const names = [...new Set([...nodes.keys(), ...[...tasks.values()].map((t) => t.Worker).filter(Boolean)])].sort();
  const chosen = workerSelect().value;
  if (!chosen && names.join('\n') === workersListed) return;
  workersListed = names.join('\n');
  if (chosen && !names.includes(chosen)) names.push(chosen);
  workerSelect().replaceChildren(el('option', { value: '', text: 'any worker' }), ...names.map((name) => el('option', { value: name, text: name })));
  workerSelect().value = chosen;
}

/** The controls, set as this tab last left them; `apply` shows the rows again after each change. @param {() => void} apply */
export function setUpFilter(apply) {
  stateSelect().replaceChildren(
    el('option', { value: '', text: 'any state' }),
    ...Object.entries(stateNameLabels).map(([name, label]) => el('option', { value: name, text: label })),
  );
  const saved = JSON.parse(sessionStorage.getItem(KEY) ?? '{}');
  stateSelect().value = saved.state ?? '';
  textInput().value = saved.text ?? '';
  if (saved.worker) {
    workerSelect().append(el('option', { value: saved.worker, text: saved.worker }));
    workerSelect().value = saved.worker;
  }
  const changed = () => {
    sessionStorage.setItem(KEY, JSON.stringify({ state: stateSelect().value, worker: workerSelect().value, text: textInput().value }));
    apply();
  };
  for (const control of [stateSelect(), workerSelect(), textInput()]) control.addEventListener('input', changed);
  $('#filter-clear').addEventListener('click', () => {
    stateSelect().value = '';
    workerSelect().value = '';
    textInput().value = '';
    changed();
  });
}
