// The scheduler package as the manager sees it: pick a policy by its
// CUBE_SCHEDULER name, and the pieces (held sums, the filters, costs) it uses
// to keep records and explain placements.
import { epvm } from './epvm.js';
import { roundRobin } from './round-robin.js';
import type { Scheduler } from '../vocabulary/scheduler.js';

export type { Candidate, Held, Placement, Scheduler } from '../vocabulary/scheduler.js';
export { emptyHeld, holdTask, nominalDemand, NOMINAL_CPU, NOMINAL_MEMORY } from './held.js';
export { shortage, filters, type Filter, type Rejection } from './filters/index.js';
export { countRejections, filterCandidates, noFit, pipeline } from './pipeline.js';
export { roundRobin } from './round-robin.js';
export { epvm, epvmCost, LIEB } from './epvm.js';

const schedulers: Record<Scheduler['name'], Scheduler> = { roundrobin: roundRobin, epvm };

/** The names schedulerByName accepts. */
export const schedulerNames = Object.keys(schedulers) as Scheduler['name'][];

export function schedulerByName(name: string): Scheduler {
  const scheduler = Object.hasOwn(schedulers, name) ? schedulers[name as Scheduler['name']] : undefined;
  if (!scheduler) {
    throw new Error(`unknown scheduler ${JSON.stringify(name)}: choose one of ${schedulerNames.join(', ')}`);
  }
  return scheduler;
}
