// When each phase of the scale section says it was measured.
import type { Json } from '../results.js';

/** When a phase of the scale benchmark was measured: each phase may come from a run of its own. */
export const phaseWhen = (phase: Json, r: Json) =>
  `measured ${String(phase.at ?? r.at)
    .slice(0, 16)
    .replace('T', ' ')} UTC`;
