// A thread of the seed pool (pool.ts): runs the seeds it is given and posts
// one small summary per seed.
import { parentPort, workerData } from 'node:worker_threads';
import { foundBySeed, foundScenario } from './found.js';
import { mistakeByName } from './mistakes.js';
import { drawScenario } from './schedule.js';
import { simulate } from './simulation.js';

export interface PoolJob {
  seeds: number[];
  without: string[];
  mistake?: string;
  services: boolean;
  placement: boolean;
  failFast: boolean;
  /** The seeds name bugs of found.ts: each replays its recorded schedule. */
  found: boolean;
}

export interface SeedSummary {
  seed: number;
  ok: boolean;
  invariant?: string;
  detail?: string;
  simulatedMs: number;
  workers: number;
  steps: number;
}

const job = workerData as PoolJob;
const without = new Set(job.without);
const mistake = job.mistake ? mistakeByName(job.mistake) : undefined;
for (const seed of job.seeds) {
  const scenario = job.found
    ? foundScenario(foundBySeed(seed, job.services)!)
    : drawScenario(seed, without, { services: job.services, placement: job.placement });
  const result = await simulate(scenario, { mistake, failFast: job.failFast });
  const first = result.violations[0];
  const summary: SeedSummary = {
    seed,
    ok: result.ok,
    invariant: first?.invariant,
    detail: first?.detail,
    simulatedMs: result.simulatedMs,
    workers: result.workers,
    steps: result.steps,
  };
  parentPort!.postMessage(summary);
}
