// @ts-check
// The task machine (machines/task.ts, as GET /ui/machines/task.mmd gives its
// Mermaid text), drawn with the shown task's state highlighted and drawn again
// when that state changes. One drawing at a time: while one is under way, only
// the last state asked for is drawn next. "Fit" shows it whole, "Full size" at
// its natural size; "restore paths (boot)" draws the restore dispatcher too.
import { $, el } from '../dom.js';
import { mermaidLoaded, renderMermaid, setUpMermaid } from './mermaid.js';
import { withoutDispatcher } from './without-dispatcher.js';

/** Task.StateName → the Mermaid id of the state drawn for it (mermaidId of src/diagrams/mermaid.ts). */
/** @type {Record<string, string>} */
const stateIds = {
  pending: 'pending',
  scheduled: 'scheduled',
  running: 'running',
  stopping: 'stopping',
  completed: 'completed',
  failed: 'failed_halted',
  restarting: 'failed_restarting',
};

/** @type {string | null} */
let machineText = null;
/** The state of the task shown, to draw again when the restore paths are ticked; null when none is shown. */
/** @type {string | null} */
let stateShown = null;
/** @type {string | null} */
let wanted = null;
/** @type {string | null} */
let drawn = null;
let drawing = false;
let renders = 0;

const showRestore = () => /** @type {HTMLInputElement} */ ($('#show-restore')).checked;

/** Draws the machine with `state` highlighted (a StateName). @param {string} state */
export function drawMachine(state) {
  stateShown = state;
  request();
}

/** No task is shown: the restore paths' box has nothing to draw again. */
export function forgetMachine() {
  stateShown = null;
}

function request() {
  wanted = `${stateShown}|${showRestore() ? 'all' : 'simple'}`;
  // pump() catches what a drawing throws and says so in the panel.
  if (!drawing) void pump();
}

async function pump() {
  drawing = true;
  try {
    while (wanted !== drawn) {
      const next = /** @type {string} */ (wanted);
      const [state = '', mode] = next.split('|');
      await draw(state, mode === 'all');
      drawn = next;
    }
  } catch (error) {
    $('#diagram').replaceChildren(el('p', { class: 'reason', text: `The diagram could not be drawn: ${error instanceof Error ? error.message : error}` }));
    drawn = wanted;
  } finally {
    drawing = false;
  }
}

/** @param {string} state @param {boolean} all */
async function draw(state, all) {
  if (!mermaidLoaded()) throw new Error('mermaid.min.js did not load');
  if (machineText === null) {
    const response = await fetch('/ui/machines/task.mmd');
    if (!response.ok) throw new Error(`GET /ui/machines/task.mmd answered ${response.status}`);
    machineText = await response.text();
  }
  const shown = all ? { text: machineText, note: '' } : withoutDispatcher(machineText);
  const id = stateIds[state];
  const text = id ? `${shown.text.replace(/\n*$/, '\n')}  class ${id} current\n` : shown.text;
  const svg = await renderMermaid(`task-diagram-${++renders}`, text);
  const box = $('#diagram');
  box.innerHTML = svg;
  box.setAttribute('data-state', state);
  box.setAttribute('data-highlight', id ?? '');
  box.setAttribute('data-restore-paths', String(all));
  const caption = $('#diagram-note');
  caption.hidden = !shown.note;
  const note = shown.note.replace(/^in every state:\s*/, '');
  caption.textContent = shown.note
    ? `Not drawn: boot and its restore paths (a task read back from disk resumes in the state it was in; tick "restore paths" to see them). In every state: ${note}.`
    : '';
  centerCurrent();
}

/** At full size the machine is wider than the panel: scroll its current state into the middle. */
function centerCurrent() {
  const box = $('#diagram');
  const node = box.querySelector('svg g.current');
  if (!node || box.classList.contains('fit')) return;
  const b = node.getBoundingClientRect();
  const c = box.getBoundingClientRect();
  box.scrollLeft += b.left + b.width / 2 - (c.left + c.width / 2);
  box.scrollTop += b.top + b.height / 2 - (c.top + c.height / 2);
}

/** @param {boolean} fit */
function setZoom(fit) {
  $('#diagram').classList.toggle('fit', fit);
  $('#zoom-fit').setAttribute('aria-pressed', String(fit));
  $('#zoom-full').setAttribute('aria-pressed', String(!fit));
  sessionStorage.setItem('cube.zoom', fit ? 'fit' : 'full');
  centerCurrent();
}

/** Mermaid, the size buttons (the last choice kept for the tab) and the restore paths' box. */
export function setUpDiagram() {
  // For tests: which state each StateName highlights (test/e2e/ui.test.ts checks each is drawn).
  /** @type {Window & typeof globalThis & { cubeStateIds?: Record<string, string> }} */ (window).cubeStateIds = stateIds;
  setUpMermaid();
  $('#zoom-fit').addEventListener('click', () => setZoom(true));
  $('#zoom-full').addEventListener('click', () => setZoom(false));
  setZoom(sessionStorage.getItem('cube.zoom') !== 'full');
  $('#show-restore').addEventListener('change', () => {
    if (stateShown !== null) request();
  });
}
