// @ts-check
// The machine panel: the state machine of what the page shows (the task
// machine for a task, the service machine for a service, as GET
// /ui/machines/<name>.mmd gives their Mermaid text), drawn with its current
// state highlighted and drawn again when that state changes. One drawing at a
// time: while one is under way, only the last one asked for is drawn next.
// "Fit" shows it whole, "Full size" at its natural size; "restore paths
// (boot)" draws the restore dispatcher too.
import { $, el } from '../dom.js';
import { mermaidLoaded, renderMermaid, setUpMermaid } from './mermaid.js';
import { withoutDispatcher } from './without-dispatcher.js';

/**
 * The machines the page draws, by their name under /ui/machines/: for each
 * StateName of their records, the Mermaid id of the state drawn for it
 * (mermaidId of src/diagrams/mermaid.ts).
 * @type {Record<string, Record<string, string>>}
 */
const stateIds = {
  task: {
    pending: 'pending',
    scheduled: 'scheduled',
    running: 'running',
    stopping: 'stopping',
    completed: 'completed',
    failed: 'failed_halted',
    restarting: 'failed_restarting',
  },
  // A service's StateName is the API's word (rolling-back); its machine's state node is rollingBack.
  service: { stable: 'stable', deploying: 'deploying', 'rolling-back': 'rollingBack', paused: 'paused', failed: 'failed' },
};

/** @typedef {{ machine: string, state: string }} Shown */

/** Each machine's Mermaid text, read once. @type {Map<string, string>} */
const machineTexts = new Map();
/** What is shown, to draw again when the restore paths are ticked; null when nothing is. @type {Shown | null} */
let shown = null;
/** @type {string | null} */
let wanted = null;
/** @type {string | null} */
let drawn = null;
let drawing = false;
let renders = 0;

const showRestore = () => /** @type {HTMLInputElement} */ ($('#show-restore')).checked;

/**
 * Shows the panel with `machine` drawn, `state` (a StateName of its records) highlighted.
 * @param {string} machine @param {string} state @param {string} of the name of what the page shows
 */
export function drawMachine(machine, state, of) {
  $('#machine').hidden = false;
  $('#machine-of').textContent = of;
  shown = { machine, state };
  request();
}

/** Nothing is shown: the panel hides, and the restore paths' box has nothing to draw again. */
export function hideMachine() {
  $('#machine').hidden = true;
  shown = null;
}

function request() {
  wanted = JSON.stringify([shown?.machine, shown?.state, showRestore()]);
  // pump() catches what a drawing throws and says so in the panel.
  if (!drawing) void pump();
}

async function pump() {
  drawing = true;
  try {
    while (wanted !== drawn) {
      const next = /** @type {string} */ (wanted);
      const [machine, state, all] = JSON.parse(next);
      await draw(machine, state, all);
      drawn = next;
    }
  } catch (error) {
    $('#diagram').replaceChildren(el('p', { class: 'reason', text: `The diagram could not be drawn: ${error instanceof Error ? error.message : error}` }));
    drawn = wanted;
  } finally {
    drawing = false;
  }
}

/** @param {string} machine */
async function machineText(machine) {
  const known = machineTexts.get(machine);
  if (known !== undefined) return known;
  const response = await fetch(`/ui/machines/${machine}.mmd`);
  if (!response.ok) throw new Error(`GET /ui/machines/${machine}.mmd answered ${response.status}`);
  const text = await response.text();
  machineTexts.set(machine, text);
  return text;
}

/** @param {string} machine @param {string} state @param {boolean} all */
async function draw(machine, state, all) {
  if (!mermaidLoaded()) throw new Error('mermaid.min.js did not load');
  const text = await machineText(machine);
  const drawnText = all ? { text, note: '' } : withoutDispatcher(text);
  const id = stateIds[machine]?.[state];
  const highlighted = id ? `${drawnText.text.replace(/\n*$/, '\n')}  class ${id} current\n` : drawnText.text;
  const svg = await renderMermaid(`${machine}-diagram-${++renders}`, highlighted);
  const box = $('#diagram');
  box.innerHTML = svg;
  box.setAttribute('data-machine', machine);
  box.setAttribute('data-state', state);
  box.setAttribute('data-highlight', id ?? '');
  box.setAttribute('data-restore-paths', String(all));
  const caption = $('#diagram-note');
  caption.hidden = !drawnText.note;
  const note = drawnText.note.replace(/^in every state:\s*/, '');
  caption.textContent = drawnText.note
    ? `Not drawn: boot and its restore paths (a ${machine} read back from disk resumes in the state it was in; tick "restore paths" to see them). In every state: ${note}.`
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
  // For tests: which state each StateName highlights, by machine (test/e2e/ui.test.ts checks each is drawn).
  /** @type {Window & typeof globalThis & { cubeStateIds?: Record<string, Record<string, string>> }} */ (window).cubeStateIds = stateIds;
  setUpMermaid();
  $('#zoom-fit').addEventListener('click', () => setZoom(true));
  $('#zoom-full').addEventListener('click', () => setZoom(false));
  setZoom(sessionStorage.getItem('cube.zoom') !== 'full');
  $('#show-restore').addEventListener('change', () => {
    if (shown !== null) request();
  });
}
