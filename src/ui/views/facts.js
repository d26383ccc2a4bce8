// @ts-check
// The facts at the head of a page: a term and its value, for a <dl>.
import { el } from '../dom.js';

/** @param {string} term @param {string | Node} value @param {boolean} [mono] the value is an ID, an image, a port */
export function fact(term, value, mono = false) {
  return [el('dt', { text: term }), el('dd', { class: mono ? 'mono' : '' }, value)];
}
