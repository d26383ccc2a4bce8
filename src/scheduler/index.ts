// The scheduler package as the manager sees it: pick a policy by its
// CUBE_SCHEDULER name, and the pieces (held sums, the filters, costs) it uses
// to keep records and explain placements.
import { byCost, epvm } from './epvm.js';
import type { Filter } from './filters/index.js';
import { pipeline, type Ranker } from './pipeline.js';
import { inTurn, roundRobin } from './round-robin.js';
import type { Scheduler } from '../vocabulary/scheduler.js';

export type { Candidate, Held, Placement, Scheduler } from '../vocabulary/scheduler.js';
export { emptyHeld, holdTask, nominalDemand, NOMINAL_CPU, NOMINAL_MEMORY } from './held.js';
export { shortage, filters, type Filter, type Rejection } from './filters/index.js';
export { countRejections, filterCandidates, noFit, pipeline } from './pipeline.js';
export { roundRobin } from './round-robin.js';
export { epvm, epvmCost, LIEB } from './epvm.js';

/** Each policy, and how it ranks: the same ranking behind other filters is the policy with a rule swapped (the simulator's planted mistakes). */
const policies: Record<Scheduler['name'], { scheduler: Scheduler; rank: Ranker }> = {
  roundrobin: { scheduler: roundRobin, rank: inTurn },
  epvm: { scheduler: epvm, rank: byCost },
};

/** The names schedulerByName accepts. */
export const schedulerNames = Object.keys(policies) as Scheduler['name'][];

/** The policy `name`, filtering with every rule of placement, or with `filters` when given. */
export function schedulerByName(name: string, filters?: readonly Filter[]): Scheduler {
  const policy = Object.hasOwn(policies, name) ? policies[name as Scheduler['name']] : undefined;
  if (!policy) {
    throw new Error(`unknown scheduler ${JSON.stringify(name)}: choose one of ${schedulerNames.join(', ')}`);
  }
  return filters ? { name: policy.scheduler.name, pick: pipeline(policy.rank, filters) } : policy.scheduler;
}
