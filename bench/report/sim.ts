// The "Cluster simulator" section: seeds per second of test/sim (bench/sim.ts).
import { when, yes } from './format.js';
import type { Json } from './results.js';

/** Seeded whole-cluster fault histories per second, on every core and on one thread. */
export function simSection(sim: Json, rows: string[]): string {
  const a = sim.allCores;
  const o = sim.oneThread;
  const met = a.seedsPerSecond >= sim.targetSeedsPerSecond;
  const fmt1 = (n: number) => n.toLocaleString('en-US');
  rows.push(
    `| [Cluster simulator](#cluster-simulator) | seeded whole-cluster fault histories (test/sim), ${a.threads} threads | **${a.seedsPerSecond} seeds/s**, **${fmt1(a.clusterHoursPerMinute)} simulated cluster-hours per minute** | ≥ ${sim.targetSeedsPerSecond} seeds/s (1,000 in < 2 min) | ${yes(met)} |`,
  );
  return `## Cluster simulator

**What it measures.** The deterministic simulation of the whole cluster (test/sim, docs/reliability.md "The simulator"):
each seed is one history of a manager and 1–5 workers running their real machines and services over simulated
engines, network, disks and clock, with its faults and user calls, the heal, and about a simulated minute of quiet
before the final check. Seeds run on worker threads, one per core. "Cluster-hours" is simulated time summed over the
seeds; a seed covers ${o.simulatedSecondsPerSeed} simulated seconds in ${fmt1(o.stepsPerSeed)} steps on average.
Failed seeds are counted, not judged here (${a.failed} of ${fmt1(a.seeds)}: the bugs still open in test/sim/found.ts).

**Run it:** \`node --import tsx bench/sim.ts [seeds]\` (default 3,000; no Docker), or \`npm run sim -- --seeds N\`.

| | seeds | wall | seeds/s | cluster-hours per minute | other processes |
|---|---:|---:|---:|---:|---:|
| ${a.threads} threads | ${fmt1(a.seeds)} | ${a.wallSeconds} s | **${a.seedsPerSecond}** | **${fmt1(a.clusterHoursPerMinute)}** | ${a.otherCores} cores |
| 1 thread | ${fmt1(o.seeds)} | ${o.wallSeconds} s | ${o.seedsPerSecond} | ${fmt1(o.clusterHoursPerMinute)} | ${o.otherCores} cores |

Target: npm test runs 1,000 seeds in under 2 minutes on 2 cores, so ≥ ${sim.targetSeedsPerSecond} seeds/s: ${yes(met)}.

${when(sim)}.
`;
}
