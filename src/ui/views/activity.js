// @ts-check
// Manager activity: the manager's log, newest first. The last entries are
// read with GET /log at each snapshot, and each `log` event is added as it
// comes; an entry read both ways is shown once.
import { read } from '../api.js';
import { $, el } from '../dom.js';
import { clock } from '../format.js';

/** @typedef {import('../../vocabulary/log-entry.js').LogEntry} LogEntry */

const LIMIT = 60;
const seen = new Set();

/** @param {LogEntry} entry @param {boolean} live */
export function addActivity(entry, live) {
  const key = `${entry.Time}|${entry.Type}|${entry.Message}`;
  if (seen.has(key)) return;
  seen.add(key);
  const item = el(
    'li',
    { class: live ? 'fresh' : '' },
    el('time', { class: 'mono', text: clock(entry.Time), dateTime: entry.Time }),
    el('span', { class: 'type', text: entry.Type }),
    el('span', { text: entry.Message }),
  );
  const list = $('#log');
  const before = [...list.children].find((li) => (li.querySelector('time')?.dateTime ?? '') < entry.Time);
  list.insertBefore(item, live ? list.firstChild : (before ?? null));
  while (list.children.length > LIMIT) list.lastChild?.remove();
}

export async function loadActivity() {
  try {
    const response = await read(`/log?limit=${LIMIT}`);
    if (!response.ok) return;
    for (const entry of (await response.json()).reverse()) addActivity(entry, false);
  } catch {
    // The log is a nicety: the live events go on without it.
  }
}
