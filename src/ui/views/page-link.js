// @ts-check
// A link to another page of the view (#task=<id>, #service=<name>): a real
// link, so it can be opened in a new tab, but a plain click changes the page
// as a row of a list does, replacing the address rather than adding to the
// history (route.js).
import { el } from '../dom.js';
import { address, go } from '../route.js';

/** @param {string} page @param {string} id @param {string} text */
export function pageLink(page, id, text) {
  const link = el('a', { href: address(page, id), text });
  link.addEventListener('click', (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    go(page, id);
  });
  return link;
}
