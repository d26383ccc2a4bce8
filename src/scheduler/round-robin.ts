// Round robin: the simplest fair policy, and the baseline E-PVM is judged
// against. Workers are taken in name order, not in the order the manager
// happens to list them, so the cycle is the same after a restart; the memo is
// the last worker picked, so a worker that joins or leaves does not reset it.
import type { Task } from '../vocabulary/task.js';
import { noFit, partition, shortage } from './fit.js';
import { compareNames } from './names.js';
import type { Candidate, Placement, Scheduler } from '../vocabulary/scheduler.js';

export const roundRobin: Scheduler = {
  name: 'roundrobin',
  pick(task: Task, candidates: readonly Candidate[], memo: unknown): Placement {
    const ordered = [...candidates].sort((a, b) => compareNames(a.name, b.name));
    const last = typeof memo === 'string' ? memo : undefined;
    // Start just after the last pick; when it is gone, after where it would sort.
    const after = last === undefined ? 0 : ordered.findIndex((c) => compareNames(c.name, last) > 0);
    const start = after === -1 ? 0 : after;
    const skipped: string[] = [];
    for (let i = 0; i < ordered.length; i++) {
      const candidate = ordered[(start + i) % ordered.length]!;
      const why = shortage(task, candidate);
      if (why === undefined) {
        const where = last === undefined ? 'first in name order' : `next after ${last}`;
        const skipping = skipped.length > 0 ? `, skipping ${skipped.join(', ')} (no room)` : '';
        return { worker: candidate.name, reason: `round robin: ${where}${skipping}`, memo: candidate.name };
      }
      skipped.push(candidate.name);
    }
    return { worker: null, reason: noFit(task, partition(task, ordered).shortages), memo };
  },
};
