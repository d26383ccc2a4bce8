// @ts-check
// What came of the actions asked from the page (a stop, a restart, a drain…),
// by what they were asked on ("task:<id>", "node:<name>", "run"): under way,
// done, or refused with the API's own message. Kept here, not in the element
// that showed it, because rows and pages are drawn again with every event; each
// draws its outcome with outcomeLine(), and is told to draw again when one changes.
import { el } from './dom.js';

/** @typedef {{ status: 'pending' | 'ok' | 'error', text: string }} Outcome */

/** @type {Map<string, Outcome>} */
const outcomes = new Map();
/** @type {((key: string) => void)[]} */
const listeners = [];

/** @param {string} key @param {Outcome['status']} status @param {string} text */
export function setOutcome(key, status, text) {
  outcomes.set(key, { status, text });
  for (const listener of listeners) listener(key);
}

/** @param {(key: string) => void} listener called with the key of each outcome that changed */
export function onOutcome(listener) {
  listeners.push(listener);
}

/**
 * The line that says what came of the last action on `key`, or nothing when none was asked.
 * Hook: .outcome[data-outcome-key][data-status] (pending | ok | error), role=alert for an error.
 * @param {string} key
 */
export function outcomeLine(key) {
  const outcome = outcomes.get(key);
  if (!outcome) return '';
  return el('div', {
    class: `outcome outcome-${outcome.status}`,
    text: outcome.text,
    'data-outcome-key': key,
    'data-status': outcome.status,
    ...(outcome.status === 'error' ? { role: 'alert' } : {}),
  });
}
