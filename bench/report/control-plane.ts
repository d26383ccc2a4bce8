// The "Control plane with an in-memory runtime" section (bench/control-plane.ts):
// its rates at two sizes, how many requests in flight, where the manager's time goes.
import { COLORS, writeChart } from './chart.js';
import { whereTimeGoes } from './control-plane-profile.js';
import { concurrencySweep } from './control-plane-sweep.js';
import { fmt, s, when, yes } from './format.js';
import type { Json } from './results.js';

/** N tasks POSTed to a manager on MemoryRuntime until all are Running. */
export function controlPlaneSection(r: Json, rows: string[]): string {
  rows.push(
    `| [Control plane (in-memory runtime)](#control-plane-with-an-in-memory-runtime) | ${fmt(r.large.n)} tasks POSTed to a manager → all Running, **MemoryRuntime: runs no containers** | **${fmt(r.large.medianTasksPerSecond)} tasks/s** at ${fmt(r.large.n)} | ≥ ${fmt(r.targets.largeRate)} tasks/s | ${yes(r.met.largeRate)} |`,
    `| | rate(${fmt(r.large.n)}) / rate(${fmt(r.small.n)}) (no quadratic growth) | ${fmt(r.large.medianTasksPerSecond)} / ${fmt(r.small.medianTasksPerSecond)} tasks/s: **${r.ratio}** | ≥ ${r.targets.ratio} | ${yes(r.met.ratio)} |`,
  );
  const perSize = (n: number) => r.runs.filter((run: Json) => run.n === n).map((run: Json) => run.tasksPerSecond);
  const chart = writeChart('control-plane', {
    title: 'Control plane with an in-memory runtime (runs no containers)',
    subtitle: `tasks/s, POST → Running on the manager's event stream; median of ${r.rounds} rounds, dots are rounds; ${r.concurrency} POSTs in flight`,
    unit: 'tasks per second (higher is better)',
    bars: [
      { label: `${fmt(r.small.n)} tasks`, value: r.small.medianTasksPerSecond, color: COLORS.memory, points: perSize(r.small.n) },
      { label: `${fmt(r.large.n)} tasks`, value: r.large.medianTasksPerSecond, color: COLORS.memory, points: perSize(r.large.n) },
    ],
    target: { value: r.targets.largeRate, label: `target ${fmt(r.targets.largeRate)}/s at ${fmt(r.large.n)}` },
  });
  const sweep = r.sweep ? concurrencySweep(r) : '';
  const profile = whereTimeGoes(r);
  const runRows = r.runs
    .map(
      (run: Json) =>
        `| ${fmt(run.n)} | ${s(run.totalMs)} | ${fmt(run.tasksPerSecond)} | ${s(run.postsMs)} | ${fmt(run.postLatencyMs.median, 1)} / ${fmt(run.postLatencyMs.p99, 1)} ms | ${Math.round(run.managerBusy * 100)} % | ${Math.round(run.clientBusy * 100)} % | ${run.otherCores ?? '—'} |`,
    )
    .join('\n');
  return `## Control plane with an in-memory runtime

${chart}

> **The runtime here is \`MemoryRuntime\`, an in-memory stand-in that runs no containers.** These numbers are Cube's
> own cost (HTTP edge, manager and worker actors, event stream), never Docker's. For real containers see
> [Worker start](#worker-start) and [50 containers on real Docker](#50-containers-on-real-docker).

**What it measures.** One manager with one worker in its process (\`startManager\` with
\`local: [{ port: null, name: 'bench', runtime: new MemoryRuntime() }]\`, memory store, silent log), reached through its
real HTTP API on loopback. N tasks are sent by \`POST /tasks\` with ${r.concurrency} requests in flight; the clock runs from the
first POST to the moment the manager's \`GET /events\` stream has shown every task with State 2 (counted per id from
\`task.updated\`; nothing is polled). N = ${fmt(r.small.n)} and N = ${fmt(r.large.n)} run in the same process, a fresh manager each, interleaved
over ${r.rounds} rounds; the medians are compared. The client runs in a worker thread (as it would in another process), so the
manager's thread does only the manager's work; the busy columns are each thread's event-loop utilisation. Warm-up:
${r.warmup}; V8 needs several thousand tasks before the hot paths are optimised (a cold first run of 2,000 tasks goes at
about a third of the steady rate), and a cold 1,000-task run would flatter the ratio.

**Run it:** \`node --import tsx bench/control-plane.ts\` — options \`--concurrency 64\`, \`--sizes 1000,10000\`, \`--rounds 3\`,
\`--sweep 1,4,16,64,256,1024 --sweep-n 2000\` (requests in flight), \`--profile\` (CPU profile of extra runs). No Docker needed.

| | median tasks/s | median time |
|---|---:|---:|
| ${fmt(r.small.n)} tasks | ${fmt(r.small.medianTasksPerSecond)} | ${fmt(r.small.medianSeconds, 2)} s |
| ${fmt(r.large.n)} tasks | **${fmt(r.large.medianTasksPerSecond)}** (target ≥ ${fmt(r.targets.largeRate)}: ${yes(r.met.largeRate)}) | ${fmt(r.large.medianSeconds, 2)} s |
| **rate(${fmt(r.large.n)}) / rate(${fmt(r.small.n)})** | **${r.ratio}** (target ≥ ${r.targets.ratio}: ${yes(r.met.ratio)}) | |

Every run:

| tasks | all Running after | tasks/s | POSTs answered after | POST median / p99 | manager thread busy | client thread busy | other processes (cores) |
|---:|---:|---:|---:|---:|---:|---:|---:|
${runRows}

Node ${r.machine?.node ?? process.version}, ${when(r)}.${r.disturbed ? ` On this shared machine, ${r.disturbed}.` : ''}
${sweep}${profile}`;
}
