// @ts-check
// The address says which page the live view shows beside its lists, and of
// what: #<page>=<id> (#task=<id>), so a reload or a link shows it again. A
// click replaces the address rather than adding to the history: Back leaves
// the view, it does not step through the tasks looked at.

/** @typedef {{ page: string, id: string }} Route */

/** @param {string} hash @returns {Route | null} */
function parse(hash) {
  const [, page, id] = /^#(\w+)=(.+)$/.exec(hash) ?? [];
  return page && id ? { page, id: decodeURIComponent(id) } : null;
}

let current = parse(location.hash);
/** @type {(() => void)[]} */
const listeners = [];

/** The page the address shows, and of what; null when it shows none. */
export const route = () => current;

/** The ID the address shows on `page`, or null when it shows another page or none. @param {string} page */
export const shown = (page) => (current?.page === page ? current.id : null);

/** The address that shows `id` on `page`. @param {string} page @param {string} id */
export const address = (page, id) => `#${page}=${encodeURIComponent(id)}`;

/** Shows `id` on `page`: the address keeps it, and every listener draws it. @param {string} page @param {string} id */
export function go(page, id) {
  current = { page, id };
  history.replaceState(null, '', address(page, id));
  for (const listener of listeners) listener();
}

/** @param {() => void} listener called after each change of the route */
export function onRoute(listener) {
  listeners.push(listener);
}

/** An address typed or followed (a link, Back) is shown like a click. */
export function followAddress() {
  window.addEventListener('hashchange', () => {
    const next = parse(location.hash);
    if (next && (next.page !== current?.page || next.id !== current.id)) go(next.page, next.id);
  });
}
