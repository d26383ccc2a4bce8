// @ts-check
// The page's confirmation before an action that cannot be undone (a stop, a
// worker forgotten): a modal <dialog> that names what will happen, answered
// with its button or Cancel (Escape cancels too). Hooks: #confirm[open],
// #confirm-message, #confirm-yes, #confirm-no.
import { $ } from './dom.js';

/**
 * @param {string} question what the action does, in words
 * @param {string} verb the label of the button that does it ("Stop")
 * @returns {Promise<boolean>} true once confirmed
 */
export function confirmAction(question, verb) {
  const dialog = /** @type {HTMLDialogElement} */ ($('#confirm'));
  $('#confirm-message').textContent = question;
  $('#confirm-yes').textContent = verb;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}
