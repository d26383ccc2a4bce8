// A worker that is down, suspect, not yet heard from or draining takes no
// task: the manager says which (Candidate.unavailable), and it is counted so,
// naming the worker: "1 worker: 1 down (w1)" tells an operator whom to look at.
import type { Filter } from './filter.js';

export const available: Filter = {
  name: 'available',
  check: (_, candidate) => (candidate.unavailable === undefined ? undefined : { group: candidate.unavailable, detail: candidate.name }),
};
