// @ts-check
// The token of a Cube started with CUBE_TOKEN: kept for this tab only
// (sessionStorage: gone when the tab is closed), sent as a bearer header, and
// asked for with the page's form when GET /events answers 401.
import { $ } from './dom.js';

const TOKEN_KEY = 'cube.token';

export const token = () => sessionStorage.getItem(TOKEN_KEY) || '';

/** @returns {Record<string, string>} */
export const authHeaders = () => (token() ? { Authorization: `Bearer ${token()}` } : {});

/** Shows the form, saying why. @param {string} [message] */
export function askForToken(message) {
  $('#auth').hidden = false;
  $('#auth-message').textContent = message || 'Enter the token this Cube was started with.';
  const input = /** @type {HTMLInputElement} */ ($('#token'));
  input.value = '';
  input.focus();
}

/**
 * The form keeps the token it is given and "forget token" drops it; either
 * way the page connects again, with what it holds now.
 * @param {() => void} reconnect
 */
export function setUpToken(reconnect) {
  $('#token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = /** @type {HTMLInputElement} */ ($('#token')).value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $('#auth').hidden = true;
    reconnect();
  });
  $('#forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    reconnect();
  });
}
