// @ts-check
// A history as the pages show it: a task's Task.Events, a service's
// Service.Events (both kept oldest first), newest first, a row each.
import { el } from '../dom.js';
import { clock } from '../format.js';

/** @typedef {import('../../vocabulary/task.js').TaskHistoryEntry} HistoryEntry */

/** Fills `body` (a tbody) with `entries`, newest first. @param {HTMLElement} body @param {HistoryEntry[] | undefined} entries */
export function renderHistory(body, entries) {
  body.replaceChildren(
    ...[...(entries ?? [])]
      .reverse()
      .map((e) =>
        el(
          'tr',
          {},
          el('td', { class: 'mono nowrap', text: clock(e.Time), title: e.Time }),
          el('td', { class: 'type nowrap', text: e.Type }),
          el('td', { text: e.Message }),
        ),
      ),
  );
  if (!entries?.length) body.append(el('tr', {}, el('td', { class: 'muted', text: 'no events yet' })));
}
