// How fast the cluster simulator (test/sim) runs: seeds per second and
// simulated cluster-hours per wall-clock minute, on every core and on one
// thread, measured on a quiet machine. A seed is one whole history: a manager
// and 1–5 workers, its faults and user calls, the heal, and the run-on to
// quiescence (about 1.5 simulated minutes each).
//
//   node --import tsx bench/sim.ts [seeds]      (default 3000)
//
// Seeds that fail are counted, not judged: the simulator's test judges them.
import { availableParallelism } from 'node:os';
import { runSeeds, type PoolResult } from '../test/sim/pool.js';
import { measureQuietly, round, saveResult, waitForQuiet } from './lib.js';

const count = Number(process.argv[2] ?? 3000);
/** npm test runs 1,000 seeds and must take under 2 minutes on 2 cores. */
const TARGET_SEEDS_PER_SECOND = round(1000 / 120, 2);

const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function summary(result: PoolResult, threads: number) {
  const seconds = result.wallMs / 1000;
  const n = result.summaries.length;
  return {
    seeds: n,
    threads,
    wallSeconds: round(seconds, 2),
    seedsPerSecond: round(n / seconds, 1),
    clusterHoursPerMinute: round(result.clusterMs / 3_600_000 / (seconds / 60), 1),
    simulatedSecondsPerSeed: round(result.clusterMs / 1000 / n, 1),
    stepsPerSeed: Math.round(result.summaries.reduce((sum, s) => sum + s.steps, 0) / n),
    failed: result.failures.length,
  };
}

async function main() {
  console.log(await waitForQuiet());
  const threads = availableParallelism();
  const all = await measureQuietly(() => runSeeds({ seeds: seeds(count), threads }), `${count} seeds on ${threads} threads`);
  const allCores = { ...summary(all.value, threads), otherCores: all.otherCores };
  console.log(`all cores: ${allCores.seedsPerSecond} seeds/s, ${allCores.clusterHoursPerMinute} cluster-hours/min (${allCores.wallSeconds} s for ${count})`);
  const oneCount = Math.max(1, Math.round(count / 5));
  const one = await measureQuietly(() => runSeeds({ seeds: seeds(oneCount), threads: 1 }), `${oneCount} seeds on 1 thread`);
  const oneThread = { ...summary(one.value, 1), otherCores: one.otherCores };
  console.log(`one thread: ${oneThread.seedsPerSecond} seeds/s, ${oneThread.clusterHoursPerMinute} cluster-hours/min`);
  const file = saveResult('sim', { allCores, oneThread, targetSeedsPerSecond: TARGET_SEEDS_PER_SECOND });
  console.log(`wrote ${file}`);
}

await main();
