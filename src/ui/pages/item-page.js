// @ts-check
// A page that shows one item of the store (a task, a service) in a section of
// its own, its machine in the shared panel: the Page of pages.js for it. The
// section shows while the store holds the item; it hides, and the panel with
// it, when the address shows another page, or an item the store does not
// hold (yet).
import { $ } from '../dom.js';
import { hideMachine } from './machine-diagram.js';

/**
 * @template T
 * @param {string} section the page's section, as a selector
 * @param {Map<string, T>} items the store's items, by the id the address gives
 * @param {(item: T) => void} draw draws the item, its machine too
 * @param {() => void} [stop] stops what the page follows of an item (a task's output)
 * @returns {import('../pages.js').Page}
 */
export function itemPage(section, items, draw, stop = () => undefined) {
  const hide = () => {
    $(section).hidden = true;
    stop();
    hideMachine();
  };
  const show = (/** @type {string} */ id) => {
    const item = items.get(id);
    if (item === undefined) {
      hide();
      return false;
    }
    $(section).hidden = false;
    draw(item);
    return true;
  };
  return { show, hide };
}
