// @ts-check
// The shown task's output: GET /tasks/{id}/logs?follow=1 (NDJSON, read with
// the shared line splitter, so a line over the cap costs no more than the
// cap), followed while the task is shown, the last 1,000 lines kept, stderr
// marked. When the task restarts in a new container, the new one is followed.
import { read } from '../api.js';
import { $, el } from '../dom.js';
import { CLIENT_MAX, LineSplitter } from '../lines.js';
import { stateText } from '../views/state-badge.js';

/** @typedef {import('../store.js').Task} Task */
/** @typedef {import('../../logs/log-line.js').LogLine} LogLine */

const LOG_LINES = 1000;
/** Which container's output is followed: a restart (a new container) starts over. */
/** @type {string | null} */
let logsKey = null;
/** @type {AbortController | null} */
let logsController = null;

/** @param {string} status @param {string} text */
function setLogsStatus(status, text) {
  const badge = $('#logs-status');
  badge.dataset['status'] = status;
  badge.textContent = text;
}

/** Follows the task's output, unless it already follows this container of it. @param {Task} task */
export function followLogs(task) {
  const key = `${task.ID}|${task.ContainerID}|${task.State}`;
  if (key === logsKey) return;
  logsKey = key;
  logsController?.abort();
  const mine = (logsController = new AbortController());
  const box = $('#logs');
  box.replaceChildren();
  box.setAttribute('data-task-id', task.ID);
  // What the manager would refuse is not asked for (a refused load is an error in the console).
  if (task.State === 3) return setLogsStatus('none', 'completed: its container was removed, and its output with it');
  if (!task.ContainerID) return setLogsStatus('none', `no container yet (${stateText(task.StateName)})`);
  setLogsStatus('reading', 'reading…');
  // readLogs catches its own failures and shows them in the status badge.
  void readLogs(task.ID, mine.signal, box);
}

export function stopLogs() {
  logsController?.abort();
  logsKey = null;
}

/** @param {string} id @param {AbortSignal} signal @param {HTMLElement} box */
async function readLogs(id, signal, box) {
  let response;
  try {
    response = await read(`/tasks/${encodeURIComponent(id)}/logs?follow=1&tail=200`, signal);
  } catch {
    if (!signal.aborted) setLogsStatus('error', 'the manager does not answer');
    return;
  }
  if (!response.ok || !response.body) {
    const body = await response.json().catch(() => null);
    if (!signal.aborted) setLogsStatus('none', body?.Message ?? `GET /tasks/${id}/logs answered ${response.status}`);
    return;
  }
  setLogsStatus('following', 'following');
  /** @type {LogLine[]} */
  const lines = [];
  const decoder = new TextDecoder();
  const splitter = new LineSplitter(CLIENT_MAX, (kept, length) => {
    if (length > CLIENT_MAX) lines.push({ Time: '', Stream: 'stderr', Line: `[a line of ${length} bytes, too long for this page]` });
    else if (length > 0) lines.push(JSON.parse(decoder.decode(kept)));
  });
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      splitter.push(value);
      appendLogLines(box, lines.splice(0));
    }
    if (!signal.aborted) setLogsStatus('ended', 'its container stopped');
  } catch {
    if (!signal.aborted) setLogsStatus('error', 'the output could not be read to the end');
  }
}

/** @param {HTMLElement} box @param {LogLine[]} lines */
function appendLogLines(box, lines) {
  if (lines.length === 0) return;
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  box.append(...lines.map((line) => el('span', { class: `line ${line.Stream}`, title: line.Time, 'data-stream': line.Stream, text: `${line.Line}\n` })));
  while (box.childElementCount > LOG_LINES) box.firstElementChild?.remove();
  if (atBottom) box.scrollTop = box.scrollHeight;
}
