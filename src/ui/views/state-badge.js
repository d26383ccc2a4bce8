// @ts-check
// A task's state in the words `cube status` uses (src/ui/words.js), alone or
// as a coloured badge whose data-state keeps the StateName for tests.
import { el } from '../dom.js';
import { stateNameLabels } from '../words.js';

/** @param {string} state a StateName */
export const stateText = (state) => stateNameLabels[state] ?? state;

/** @param {string} state a StateName */
export const stateBadge = (state) => el('span', { class: `badge state-${state}`, text: stateText(state), 'data-state': state });
