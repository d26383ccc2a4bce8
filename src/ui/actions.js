// @ts-check
// What the page can do to the cluster, each through the manager's own API (the
// token and the browser checks as for any client): stop, restart a task;
// drain, undrain, forget a worker. Stops and forgetting ask first. Each says
// what came of it where it was asked (outcomes.js), in the API's words when it
// was refused; the change itself shows when the manager reports it on
// GET /events, as any change made elsewhere does.
import { send } from './api.js';
import { confirmAction } from './confirm.js';
import { el } from './dom.js';
import { setOutcome } from './outcomes.js';
import { nodes } from './store.js';

/** @typedef {import('./store.js').Task} Task */
/** @typedef {import('./store.js').NodeView} NodeView */

/** A task can be stopped until it is Completed, and once only. */
export const canStop = (/** @type {Task} */ task) => task.StateName !== 'completed' && task.StateName !== 'stopping';
/** The manager restarts a Running or Failed task (docs/api.md: POST /tasks of its ID); a Pending or Scheduled one is left as it is. */
export const canRestart = (/** @type {Task} */ task) => ['running', 'failed', 'restarting'].includes(task.StateName);

/**
 * Asks the API, saying under `key` that it is under way, then what came of it.
 * @param {string} key @param {string} doing @param {string} done @param {() => Promise<import('./api.js').Answer>} call
 * @param {(body: any) => void} [keep] takes what a 2xx answered before it is said (the store learns it)
 */
async function act(key, doing, done, call, keep) {
  setOutcome(key, 'pending', `${doing}…`);
  const answer = await call();
  if (answer.ok) keep?.(answer.body);
  if (answer.ok) setOutcome(key, 'ok', answer.message ? `${done}: ${answer.message}` : done);
  else setOutcome(key, 'error', `${doing} refused (${answer.status || 'no answer'}): ${answer.message}`);
}

const taskName = (/** @type {Task} */ task) => task.Name || task.ID;

/** @param {Task} task */
export async function stopTask(task) {
  const question = `Stop task ${taskName(task)}? Its container is stopped and removed, and it ends Completed; this cannot be undone.`;
  if (!(await confirmAction(question, 'Stop'))) return;
  await act(`task:${task.ID}`, 'stopping', 'stopped', () => send('DELETE', `/tasks/${encodeURIComponent(task.ID)}`));
}

/** The task POSTed again as the manager has it, as `cube restart` does: a new container, a fresh restart count. @param {Task} task */
export function restartTask(task) {
  return act(`task:${task.ID}`, 'restarting', 'restarted', () => send('POST', '/tasks', { Task: task }));
}

/** A drain changes no liveness, so no node.updated tells it: the worker the answer holds is kept. @param {NodeView} worker */
const keepWorker = (worker) => {
  const known = nodes.get(worker?.Name);
  if (known) nodes.set(worker.Name, { ...known, Draining: worker.Draining });
};

/** @param {NodeView} node */
export function drainNode(node) {
  const path = `/nodes/${encodeURIComponent(node.Name)}/drain`;
  return act(`node:${node.Name}`, 'draining', 'drained: its tasks move to other workers', () => send('POST', path), keepWorker);
}

/** @param {NodeView} node */
export function undrainNode(node) {
  const path = `/nodes/${encodeURIComponent(node.Name)}/drain`;
  return act(`node:${node.Name}`, 'undraining', 'undrained: it takes tasks again', () => send('DELETE', path), keepWorker);
}

/** @param {NodeView} node */
export async function removeNode(node) {
  const question = `Forget worker ${node.Name}? What is still placed on it is placed again elsewhere; it can join again later.`;
  if (!(await confirmAction(question, 'Forget'))) return;
  await act(`node:${node.Name}`, 'forgetting', 'forgotten', () => send('DELETE', `/nodes/${encodeURIComponent(node.Name)}`));
}

/**
 * A button for an action; in a row that opens a page, a click on it does not open the page too.
 * Hook: button[data-action="<action>"].
 * @param {string} action @param {string} label @param {() => unknown} run
 */
export function actionButton(action, label, run) {
  const button = el('button', { type: 'button', class: `action action-${action}`, text: label, 'data-action': action });
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    void run();
  });
  button.addEventListener('keydown', (event) => event.stopPropagation());
  return button;
}

/** The buttons of what can be done to `task` now. @param {Task} task */
export const taskButtons = (task) => [
  ...(canRestart(task) ? [actionButton('restart', 'Restart', () => restartTask(task))] : []),
  ...(canStop(task) ? [actionButton('stop', 'Stop', () => stopTask(task))] : []),
];
