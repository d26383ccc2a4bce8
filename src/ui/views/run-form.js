// @ts-check
// "Run a task": a task file pasted or uploaded, POSTed as `cube run -f` does
// (a TaskEvent {"Task": {…}}, or a bare Task {"Image": …} wrapped as one).
// The manager checks it; what it refuses stays in the form with its answer in
// place (the key that is wrong, as the API names it), so it can be corrected
// and sent again. Once accepted, the form closes and the task's page shows.
// Hooks: #run-open, #run (a <dialog>), #run-json, #run-file, #run-submit,
// #run-outcome (.outcome[data-status]).
import { send } from '../api.js';
import { $ } from '../dom.js';
import { onOutcome, outcomeLine, setOutcome } from '../outcomes.js';
import { go } from '../route.js';

const KEY = 'run';

/**
 * The TaskEvent to POST, or why the text is not one (said before the manager is asked, as `cube run` does).
 * @param {string} text
 * @returns {{ event: Record<string, unknown> } | { problem: string }}
 */
export function taskEventOf(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `this is not JSON: ${error instanceof Error ? error.message : error}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: 'a task file is a JSON object, like {"Task": {"Image": "strm/helloworld-http"}}' };
  }
  return { event: 'Task' in value ? value : { Task: value } };
}

const textarea = () => /** @type {HTMLTextAreaElement} */ ($('#run-json'));

async function submit() {
  const parsed = taskEventOf(textarea().value);
  if ('problem' in parsed) {
    setOutcome(KEY, 'error', parsed.problem);
    return;
  }
  setOutcome(KEY, 'pending', 'sending…');
  const answer = await send('POST', '/tasks', parsed.event);
  if (!answer.ok) {
    setOutcome(KEY, 'error', `POST /tasks answered ${answer.status || 'nothing'}: ${answer.message}`);
    return;
  }
  setOutcome(KEY, 'ok', `task ${answer.body?.Name || answer.body?.ID} accepted`);
  /** @type {HTMLDialogElement} */ ($('#run')).close();
  if (answer.body?.ID) go('task', answer.body.ID);
}

export function setUpRunForm() {
  const dialog = /** @type {HTMLDialogElement} */ ($('#run'));
  $('#run-open').addEventListener('click', () => {
    $('#run-outcome').replaceChildren();
    dialog.showModal();
    textarea().focus();
  });
  $('#run-cancel').addEventListener('click', () => dialog.close());
  $('#run-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  const file = /** @type {HTMLInputElement} */ ($('#run-file'));
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    // A file that cannot be read says so where a refusal would.
    chosen.text().then(
      (text) => {
        textarea().value = text;
        file.value = '';
      },
      (error) => setOutcome(KEY, 'error', `${chosen.name} could not be read: ${error instanceof Error ? error.message : error}`),
    );
  });
  onOutcome((key) => {
    if (key === KEY) $('#run-outcome').replaceChildren(outcomeLine(KEY));
  });
}
