// The control plane's rate against the number of requests in flight
// (bench/control-plane.ts --sweep), a subsection of its section.
import { COLORS, writeChart } from './chart.js';
import { fmt } from './format.js';
import type { Json } from './results.js';

/** The rate and the POST latency at each number of requests in flight, and which was best. */
export function concurrencySweep(r: Json): string {
  const best = [...r.sweep.levels].sort((a: Json, b: Json) => b.medianTasksPerSecond - a.medianTasksPerSecond)[0];
  const sweepChart = writeChart('control-plane-concurrency', {
    title: 'Control plane: requests in flight',
    subtitle: `tasks/s on ${fmt(r.sweep.n)} tasks per run (MemoryRuntime), median of ${r.rounds} rounds, dots are rounds`,
    unit: 'tasks per second (higher is better)',
    bars: r.sweep.levels.map((level: Json) => ({
      label: `${level.concurrency} in flight`,
      value: level.medianTasksPerSecond,
      color: level.concurrency === r.concurrency ? COLORS.memory : COLORS.level,
      points: r.sweep.runs.filter((run: Json) => run.concurrency === level.concurrency).map((run: Json) => run.tasksPerSecond),
      text: `${fmt(level.medianTasksPerSecond)}/s · POST ${fmt(level.medianPostMs, 1)} ms`,
    })),
  });
  return `
### How many requests in flight

${sweepChart}

| POSTs in flight | median tasks/s | median POST latency |
|---:|---:|---:|
${r.sweep.levels.map((l: Json) => `| ${l.concurrency} | ${fmt(l.medianTasksPerSecond)} | ${fmt(l.medianPostMs, 2)} ms |`).join('\n')}

The best median here was ${best.concurrency} in flight (${fmt(best.medianTasksPerSecond)} tasks/s). One request at a time is
bound by the round trip; from a handful on, the manager's thread is busy all the time (≈ 100 % event-loop
utilisation) and more requests in flight only add queueing latency to each POST, and past a few hundred the rate
falls. The headline numbers use ${r.concurrency} in flight.
`;
}
