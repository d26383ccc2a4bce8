// @ts-check
// The pages the address can show beside the lists, by the name it gives them
// (#task=<id>, #service=<name>, #node=<worker>). A page shows one item of the store: it is drawn again whenever
// that item may have changed, and hides when the address shows another page,
// or an item it does not know (yet); the placeholder is shown then. To add a
// page: a module in pages/ with show(id) and hide(), and its name here.
import { $ } from './dom.js';
import { servicePage } from './pages/service.js';
import { taskPage } from './pages/task.js';
import { workerPage } from './pages/worker.js';
import { route, shown } from './route.js';

/**
 * @typedef {object} Page
 * @property {(id: string) => boolean} show draws the item, or hides the page and answers false when it does not know it
 * @property {() => void} hide hides the page and stops what it follows
 */

/** @type {Record<string, Page>} */
const pages = { task: taskPage, service: servicePage, node: workerPage };

/** Draws the page the address shows and hides the others; the placeholder when none shows anything. */
export function showPage() {
  const current = route();
  // The others hide first: pages share panels (the machine), which the page shown must have last.
  for (const [name, page] of Object.entries(pages)) if (name !== current?.page) page.hide();
  const page = current && Object.hasOwn(pages, current.page) ? pages[current.page] : undefined;
  $('#no-selection').hidden = current && page ? page.show(current.id) : false;
}

/** Draws `page` again when it is the one shown, of `id`: a change to anything else leaves it as it is. @param {string} page @param {string} id */
export function refreshPage(page, id) {
  if (shown(page) === id) showPage();
}
