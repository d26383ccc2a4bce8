// Round robin: the simplest fair policy, and the baseline E-PVM is judged
// against. Workers are taken in name order, not in the order the manager
// happens to list them, so the cycle is the same after a restart; the memo is
// the last worker picked, so a worker that joins or leaves does not reset it.
// The filters (src/scheduler/pipeline.ts) have already left out the workers
// that cannot take the task: the cycle goes on among the rest.
import { compareNames } from './names.js';
import { pipeline, type Ranker } from './pipeline.js';
import type { Scheduler } from '../vocabulary/scheduler.js';

/** Round robin's ranking: the next worker after the last pick, in name order. */
export const inTurn: Ranker = (_, fitting, memo, unfit) => {
  const last = typeof memo === 'string' ? memo : undefined;
  // Just after the last pick; when it is gone (or filtered out), after where it would sort.
  const after = last === undefined ? 0 : fitting.findIndex((c) => compareNames(c.name, last) > 0);
  const candidate = fitting[after === -1 ? 0 : after]!;
  const where = last === undefined ? 'first in name order' : `next after ${last}`;
  const skipping = unfit.length > 0 ? `, skipping ${unfit.map((c) => c.name).join(', ')} (filtered out)` : '';
  return { worker: candidate.name, reason: `round robin: ${where}${skipping}`, memo: candidate.name };
};

export const roundRobin: Scheduler = { name: 'roundrobin', pick: pipeline(inTurn) };
