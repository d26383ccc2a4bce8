// @ts-check
// The rows of a list whose rows each show a page of their item (the task
// list, #task=<id>; the services list, #service=<name>): a click, or Enter or
// Space on a focused row, shows it, and the row of the item the address
// shows is marked selected, and only that one. A row is made once and kept,
// so it keeps its focus while it is drawn again.
import { el } from '../dom.js';
import { go, shown } from '../route.js';

/** @param {HTMLElement} row @param {boolean} selected */
function mark(row, selected) {
  row.classList.toggle('selected', selected);
  row.setAttribute('aria-selected', String(selected));
}

/**
 * @param {string} page the page a row shows
 * @param {string} attribute the data-* attribute that holds a row's item, for tests and scripts
 */
export function pageRows(page, attribute) {
  /** @type {Map<string, HTMLElement>} */
  const rows = new Map();
  return {
    rows,
    /** The row of `id`, and whether it was made just now (it is in no table yet). @param {string} id */
    row(id) {
      const known = rows.get(id);
      if (known) return { row: known, fresh: false };
      const row = el('tr', { tabIndex: 0, [attribute]: id });
      row.addEventListener('click', () => go(page, id));
      row.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          go(page, id);
        }
      });
      mark(row, id === shown(page));
      rows.set(id, row);
      return { row, fresh: true };
    },
    /** Removes the rows of the items that are gone. @param {(id: string) => boolean} kept */
    prune(kept) {
      for (const [id, row] of rows) {
        if (kept(id)) continue;
        row.remove();
        rows.delete(id);
      }
    },
    /** Marks the row of the item the address shows, and only that one. */
    markSelected() {
      const id = shown(page);
      for (const [rowId, row] of rows) mark(row, rowId === id);
    },
  };
}
