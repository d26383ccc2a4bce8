// E-PVM, the opportunity-cost scheduler of Amir et al. ("An opportunity cost
// approach for job assignment in a scalable computing cluster"), as "Build an
// Orchestrator in Go" uses it: each resource's load is priced on an
// exponential curve, and a task goes where adding it costs least.
//
// The book's version adds and subtracts LIEB^cpuLoad, so CPU drops out and
// only memory decides. Here each resource's term is the marginal cost
//   LIEB^(load + demand/capacity) − LIEB^load  =  LIEB^load · (LIEB^(demand/capacity) − 1),
// and because LIEB^x is convex that grows with the load already there: the
// same task costs more on a busier worker, in CPU as in memory. That is what
// makes the CPU term count.
import type { Task } from '../vocabulary/task.js';
import { nominalDemand } from './held.js';
import { compareNames } from './names.js';
import { pipeline, type Ranker } from './pipeline.js';
import type { Candidate, Scheduler } from '../vocabulary/scheduler.js';

/** The base of the cost curve, from the paper and the book. */
export const LIEB = 1.53960071783900203869;

/**
 * Costs within this share of each other are equal: then fewer tasks, then name
 * order decide. Workers sample their machines at different moments, so two
 * workers on one host never report quite the same load, and a tighter tie let
 * the noise pick the same worker for every task (issue 22).
 */
const TIE = 0.05;

/**
 * The marginal cost of placing `task` on `candidate`. A load is what the
 * machine measures or what Cube's records say its tasks hold, whichever is
 * higher: stats lag behind placements, records miss what runs outside Cube.
 * A worker that reports no CPUs (a book worker before its count is known) or no
 * memory costs Infinity: it is chosen only when no other worker fits.
 */
export function epvmCost(task: Task, candidate: Candidate): number {
  const { stats, held } = candidate;
  if (!(stats.CpuCount > 0) || !(stats.MemoryTotal > 0)) return Infinity;
  const demand = nominalDemand(task);
  const cpuLoad = Math.max(stats.CpuUsage, held.nominalCpu / stats.CpuCount);
  const memLoad = Math.max(1 - stats.MemoryAvailable / stats.MemoryTotal, held.nominalMemory / stats.MemoryTotal);
  const cost = LIEB ** (cpuLoad + demand.cpu / stats.CpuCount) - LIEB ** cpuLoad + (LIEB ** (memLoad + demand.memory / stats.MemoryTotal) - LIEB ** memLoad);
  return Number.isNaN(cost) ? Infinity : cost;
}

interface Scored {
  candidate: Candidate;
  cost: number;
}

const sameCost = (a: number, b: number) => a === b || Math.abs(a - b) <= TIE * Math.max(Math.abs(a), Math.abs(b));

function byPreference(a: Scored, b: Scored): number {
  if (!sameCost(a.cost, b.cost)) return a.cost - b.cost;
  return a.candidate.held.tasks - b.candidate.held.tasks || compareNames(a.candidate.name, b.candidate.name);
}

const costText = (cost: number) => (Number.isFinite(cost) ? cost.toFixed(4) : 'unknown');

/** "lowest E-PVM cost 0.0123 (w2 0.0201, w3 0.0220; filtered out: w4)", plus how a tie was broken. */
function explain(ranked: readonly Scored[], unfit: readonly Candidate[]): string {
  const [best, ...rest] = ranked as [Scored, ...Scored[]];
  const others = rest.map((s) => `${s.candidate.name} ${costText(s.cost)}`);
  const notes: string[] = [];
  if (others.length > 0) notes.push(others.join(', '));
  else if (unfit.length === 0) notes.push('the only worker up');
  if (unfit.length > 0) notes.push(`filtered out: ${unfit.map((c) => c.name).join(', ')}`);
  let tie = '';
  const runnerUp = rest[0];
  if (runnerUp && sameCost(best.cost, runnerUp.cost)) {
    tie =
      best.candidate.held.tasks !== runnerUp.candidate.held.tasks
        ? `, tied with ${runnerUp.candidate.name}: fewer tasks (${best.candidate.held.tasks} vs ${runnerUp.candidate.held.tasks})`
        : `, tied with ${runnerUp.candidate.name}: first by name`;
  }
  return `lowest E-PVM cost ${costText(best.cost)} (${notes.join('; ')})${tie}`;
}

/** E-PVM's ranking: the lowest cost first. */
export const byCost: Ranker = (task, fitting, memo, unfit) => {
  const ranked = fitting.map((candidate) => ({ candidate, cost: epvmCost(task, candidate) })).sort(byPreference);
  return { worker: ranked[0]!.candidate.name, reason: explain(ranked, unfit), memo };
};

export const epvm: Scheduler = { name: 'epvm', pick: pipeline(byCost) };
