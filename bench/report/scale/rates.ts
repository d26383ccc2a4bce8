// A phase of the scale section (bench/scale.ts): rates and heap per live task.
import { median } from '../../lib.js';
import { escape, fmt, ms, yes } from '../format.js';
import type { Json } from '../results.js';
import { phaseWhen } from './phase.js';

/** Scale, rates: the control plane's rate as tasks grow, against the commit before issue 13, and heap per live task. */
export function scaleRates(r: Json, x: Json, rows: string[]): string {
  const at = (n: number) => x.bySize.find((b: Json) => b.n === n);
  const largest = x.bySize.at(-1);
  rows.push(
    `| | tasks POSTed (64 in flight) → all Running, **FAKE runtime: runs no containers**; rate(${fmt(largest.n)}) / rate(10,000) | ${fmt(largest.tasksPerSecond)} / ${fmt(at(10_000).tasksPerSecond)} tasks/s: **${x.flat}** | ≥ 0.8 | ${yes(x.met.flat)} |`,
    `| | rate(10,000) against the commit before issue 13 (a57e813, MemoryRuntime), alternating | ${fmt(at(10_000).tasksPerSecond)} / ${fmt(x.baseline10k)} tasks/s: **${x.faster}** | ≥ 2 | ${yes(x.met.faster)} |`,
    `| | V8 heap per live task (all Running, after a full GC), the highest of the sizes | **${fmt(x.heapPerTask)} B** | ≤ 4,096 B | ${yes(x.met.heap)} |`,
  );
  const sizes = x.bySize.map((b: Json) => `| ${fmt(b.n)} | ${fmt(b.tasksPerSecond)} | ${fmt(b.heapPerTaskBytes)} B |`).join('\n');
  // The same figures from the runs other processes left quiet (≤ 0.25 cores), when there are such runs of each kind.
  const quiet = (code: string, n: number) => {
    const rates = x.runs.filter((y: Json) => y.code === code && y.n === n && y.otherCores <= 0.25).map((y: Json) => y.tasksPerSecond as number);
    return rates.length === 0 ? undefined : median(rates);
  };
  const [q10, qLargest, qBase] = [quiet('this', 10_000), quiet('this', largest.n), quiet('baseline', 10_000)];
  const quietLine =
    q10 && qLargest && qBase
      ? ` Of the runs other processes left quiet (≤ 0.25 cores): rate(${fmt(largest.n)}) / rate(10,000) = ${fmt(qLargest)} / ${fmt(q10)} = ${(qLargest / q10).toFixed(3)}; this / baseline at 10,000 = ${fmt(q10)} / ${fmt(qBase)} = ${(q10 / qBase).toFixed(3)}.`
      : '';
  const runs = x.runs
    .map(
      (y: Json) =>
        `| ${y.code} | ${fmt(y.n)} | ${fmt(y.seconds, 2)} s | ${fmt(y.tasksPerSecond)} | ${ms(y.postMedianMs)} | ${fmt(y.heapPerTaskBytes)} B | ${y.otherCores} |`,
    )
    .join('\n');
  return `### Rates and heap

**What it measures.** A manager in a process of its own (bench/scale-server.ts) with one worker in that process and SQLite
stores, as \`cube start --runtime fake\` keeps them, on a fresh data dir each time. N tasks are POSTed through the public API
with ${x.inFlight} requests in flight, and the clock stops when \`GET /events\` has shown every one Running. Heap per task is the V8
heap after a full GC with all N Running, less the heap before. At 10,000 tasks the same run of the baseline checkout
(${escape(x.baseline)}) alternates with this one. ${x.rounds ?? r.rounds} rounds; medians.

| tasks | tasks/s (median) | heap per live task |
|---:|---:|---:|
${sizes}

Baseline at 10,000: ${fmt(x.baseline10k)} tasks/s. **rate(${fmt(largest.n)}) / rate(10,000) = ${x.flat}** (target ≥ 0.8: ${yes(x.met.flat)});
**rate(10,000) this / baseline = ${x.faster}** (target ≥ 2: ${yes(x.met.faster)}); **heap per live task ${fmt(x.heapPerTask)} B** at most
(target ≤ 4,096 B: ${yes(x.met.heap)}; the 1,000-task runs carry the fixed cost of a start, the larger ones are the fairer
figure).${quietLine}

<details><summary>Every run</summary>

| code | tasks | all Running after | tasks/s | POST median | heap per task | other processes (cores) |
|---|---:|---:|---:|---:|---:|---:|
${runs}

</details>

${phaseWhen(x, r)}.
`;
}
