// @ts-check
// A task's or a service's state in the words `cube status` uses
// (src/ui/words.js), alone or as a coloured badge whose data-state keeps the
// StateName for tests.
import { el } from '../dom.js';
import { serviceStateLabels, stateNameLabels } from '../words.js';

/** @param {string} state a StateName @param {string} label */
const badge = (state, label) => el('span', { class: `badge state-${state}`, text: label, 'data-state': state });

/** @param {string} state a task's StateName */
export const stateText = (state) => stateNameLabels[state] ?? state;

/** @param {string} state a task's StateName */
export const stateBadge = (state) => badge(state, stateText(state));

/** @param {import('../../vocabulary/service.js').ServiceStateName} state a service's StateName */
export const serviceBadge = (state) => badge(state, serviceStateLabels[state]);
