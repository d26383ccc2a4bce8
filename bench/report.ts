// Writes docs/benchmarks.md from the results in docs/benchmarks/*.json, with
// one SVG bar chart per benchmark (docs/benchmarks/<name>.svg), drawn here
// with no dependencies.
//
//   node --import tsx bench/report.ts
//
// It measures nothing: run the benchmarks first (see docs/benchmarks.md).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, root } from './lib.js';
import { eventLoopSection } from './event-loop-report.js';
import { COLORS, writeChart, type Bar } from './report/chart.js';
import { escape, fmt, ms, s, when, yes } from './report/format.js';
import { dir, load, type Json } from './report/results.js';

function dockerVersion(results: Json[]): string {
  const saved = results.find((r) => r?.docker)?.docker;
  if (saved) return saved;
  try {
    return execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** What a function that stands out in a profile is doing, for the findings under the tables. */
const KNOWN: Record<string, string> = {
  resolveSpawn:
    "XState's spawn: it copies the parent's `children` object (`{ ...snapshot.children, [id]: actorRef }`) on every spawn, " +
    'so each new task actor costs time in proportion to the task actors its shard already holds ' +
    "(machines/shard.ts spreads a worker's tasks over 64 shards, so about n/64 of them): linear per task, so quadratic in total. " +
    'The rate at 10,000 tasks still meets its targets, but this is the one cost that keeps growing with n; more shards, or children ' +
    'kept in a Map outside the snapshot, would flatten it',
  '(garbage collector)': 'V8 collecting the short-lived objects of each event: task records copied per update, snapshots, JSON strings',
  writev: 'the socket writes of the answers and of the event stream (one `task.updated` per change of every task)',
};

/** Functions whose self time per task grows between the sizes, and what the known ones do. */
function findings(small: Json | undefined, large: Json, smallN: number, largeN: number): string {
  if (!small) return '';
  const lines: string[] = [];
  for (const entry of large.self.slice(0, 12)) {
    const before = small.self.find((e: Json) => e.name === entry.name);
    const name = entry.name.startsWith('(') ? entry.name : entry.name.split(' ')[0];
    const growth = before ? entry.usPerTask / before.usPerTask : undefined;
    if (growth !== undefined && growth >= 2) {
      lines.push(
        `- **\`${name}\` grows with the number of tasks:** ${fmt(before.usPerTask, 1)} µs per task at ${fmt(smallN)}, ${fmt(entry.usPerTask, 1)} µs at ${fmt(largeN)} ` +
          `(×${fmt(growth, 1)}), ${entry.percent} % of the manager's time at ${fmt(largeN)}.${KNOWN[name] ? ` It is ${KNOWN[name]}.` : ''}`,
      );
    } else if (KNOWN[name] && entry.percent >= 5) {
      lines.push(`- \`${name}\`, ${entry.percent} % at ${fmt(largeN)} (flat per task): ${KNOWN[name]}.`);
    }
  }
  const xstate = large.areas.find((a: Json) => a.name === 'xstate');
  if (xstate)
    lines.push(
      `- XState as a whole (the manager, worker, shard and task actors) takes ${xstate.percent} % of the manager's thread: it is where a POST's time goes, not the HTTP edge.`,
    );
  return lines.length > 0 ? `\n**Findings.**\n\n${lines.join('\n')}\n` : '';
}

/** The ratio of the rounds that others left quiet (≤ 0.25 cores), when each store has one. */
function quietRatio(runs: Json[]): string {
  const quiet = (store: string) => runs.filter((x) => x.store === store && x.otherCores <= 0.25).map((x) => x.perSecond as number);
  const [sqlite, etcd] = [quiet('sqlite'), quiet('etcd')];
  if (sqlite.length === 0 || etcd.length === 0) return '';
  return ` Of the rounds other processes left quiet (≤ 0.25 cores): SQLite ${fmt(median(sqlite))}, etcd ${fmt(median(etcd))} tasks/s, ratio ${fmt(median(etcd) / median(sqlite), 3)}.`;
}

/** Several managers on etcd (bench/failover.ts): the takeover after kill -9 of the leader, and the control plane on etcd against SQLite. */
function failoverSection(r: Json, rows: string[]): string {
  const GOAL = 5000;
  const met = r.acceptMedianMs < GOAL && r.placeMedianMs < GOAL;
  const cp = r.controlPlane;
  rows.push(
    `| [Failover of several managers on etcd](#failover-of-several-managers-on-etcd) | kill -9 of the leader → first accepted POST and first placement, ${r.rounds.length} kills, default settings; control plane on etcd / on SQLite | median **${s(r.acceptMedianMs)}** / **${s(r.placeMedianMs)}**; etcd / SQLite = **${cp.etcdOverSqlite}** | median < ${s(GOAL)} | ${yes(met)} |`,
  );
  const chart = writeChart('failover', {
    title: 'Failover: kill -9 of the leading manager',
    subtitle: `median of ${r.rounds.length} kills, dots are single kills; lease ${r.settings.leaderLease}, renewal ${r.settings.leaderRenew}`,
    unit: 'milliseconds (lower is better)',
    bars: [
      { label: 'first accepted POST', value: r.acceptMedianMs, color: COLORS.cube, points: r.rounds.map((x: Json) => x.acceptMs), text: s(r.acceptMedianMs) },
      { label: 'first placement', value: r.placeMedianMs, color: COLORS.level, points: r.rounds.map((x: Json) => x.placeMs), text: s(r.placeMedianMs) },
    ],
    target: { value: GOAL, label: 'goal 5 s' },
  });
  const runs = cp.runs
    .map((x: Json) => `| ${x.store} | ${fmt(x.perSecond)} | ${s(x.ms)} | ${ms(x.postMedianMs)} / ${ms(x.postP99Ms)} | ${x.otherCores} |`)
    .join('\n');
  return `## Failover of several managers on etcd

${chart}

> **The worker here runs on \`MemoryRuntime\`, an in-memory stand-in that runs no containers**: placement is the
> manager's decision, and Docker would add only its own start time. The managers and etcd are real processes.

**What it measures.** A three-member etcd cluster on loopback and three \`cube manager\` processes with the default
settings (\`CUBE_LEADER_LEASE\` ${r.settings.leaderLease}, \`CUBE_LEADER_RENEW\` ${r.settings.leaderRenew}); one worker joined
them. ${r.rounds.length} times: kill the leader with SIGKILL, then send a new task to the surviving managers every 10 ms until
one is accepted (201): **first accepted POST**; then read that task until a worker is named in it: **first placement**.
The killed manager is started again before the next round. The time is the lease running out (at most
${r.settings.leaderLease} after the dead leader's last renewal, which came at most ${r.settings.leaderRenew} before the kill), then the
election, the new leader's read of the state, and its connecting to the worker. Goal: under 5 s (Kubernetes' default
lease is 15 s).

**Run it:** \`node --import tsx bench/failover.ts\` — options \`--rounds 20\`, \`--tasks 2000\`, \`--concurrency 32\`. Needs etcd
(\`bash scripts/etcd-up.sh\`), no Docker.

| | median | worst |
|---|---:|---:|
| kill -9 → first accepted POST | **${s(r.acceptMedianMs)}** | ${s(r.acceptMaxMs)} |
| kill -9 → first placement | **${s(r.placeMedianMs)}** | ${s(r.placeMaxMs)} |

Other processes kept a median of ${r.otherCoresMedian} cores busy during the rounds.

**The control plane on etcd, against SQLite, in the same run.** ${fmt(cp.tasks)} tasks POSTed with ${cp.concurrency} in flight
until the manager's event stream shows every one Running, on a manager with SQLite (the default) and on a manager on the
same etcd cluster; three rounds each in alternating order, each on a fresh manager with one joined MemoryRuntime worker,
all in the benchmark's process (the client too, so these rates are lower than the [control plane](#control-plane-with-an-in-memory-runtime)
above, which runs the client in a thread of its own and the worker in the manager), after an unmeasured warm-up of
1,000 tasks. A round during which other processes took more than 0.25 cores was measured again (at most 3 attempts);
the last attempt counts. On etcd, each command waits for one transaction to be confirmed by a quorum of members (they
fsync), and what came meanwhile goes in the next one.

| store | tasks/s | all Running after | POST median / p99 | other processes (cores) |
|---|---:|---:|---:|---:|
${runs}

Median: SQLite ${fmt(cp.sqliteMedian)} tasks/s, etcd ${fmt(cp.etcdMedian)} tasks/s: **etcd / SQLite = ${cp.etcdOverSqlite}**.${quietRatio(cp.runs)}

${when(r)}.
`;
}

/** When a phase of the scale benchmark was measured: each phase may come from a run of its own. */
const phaseWhen = (phase: Json, r: Json) =>
  `measured ${String(phase.at ?? r.at)
    .slice(0, 16)
    .replace('T', ' ')} UTC`;
const notMeasured = (what: string, rows: string[]) =>
  rows.push(`| | ${what} | not measured in the last run of bench/scale.ts | see issue 13 | ❔ not measured |`);
/** The sync period a phase ran with: its CUBE_RECONCILE_INTERVAL, else the default. */
const syncPeriod = (phase: Json) => phase.env?.CUBE_RECONCILE_INTERVAL ?? '15s (the default)';

/** Scale, rates: the control plane's rate as tasks grow, against the commit before issue 13, and heap per live task. */
function scaleRates(r: Json, x: Json, rows: string[]): string {
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

/** Scale, floor: what XState itself costs each live task, apart from the rest of Cube (bench/scale-floor.ts). */
function scaleFloor(r: Json, x: Json, rows: string[]): string {
  rows.push(
    `| | the floor under the shape: heap of one task actor with its record, Running, as a worker spawns it (nothing else of Cube) | **${fmt(x.taskHeap)} B** (a one-state XState actor: ${fmt(x.bareHeap)} B) | none set (it bounds the heap figure: ${x.taskHeap > 4096 ? 'above' : 'below'} 4,096 B by itself) | no target |`,
  );
  const runs = x.runs.map((y: Json) => `| ${y.kind} | ${fmt(y.n)} | ${fmt(y.heapPerActorBytes)} B | ${y.microsPerTask} µs |`).join('\n');
  // The time a task may take at the rate the issue asks for: twice the baseline's at 10,000 (rates phase).
  const wanted = r.rates ? 2 * r.rates.baseline10k : undefined;
  const budget = wanted
    ? ` At the rate the issue asks for, ${fmt(wanted)} tasks/s (2× the baseline's ${fmt(r.rates.baseline10k)} at 10,000), a task may take ${fmt(1e6 / wanted, 0)} µs in all; spawning its actor and taking it to Running takes ${x.taskMicros} µs of them.`
    : '';
  return `### The floor under the shape: one XState actor per live task (${phaseWhen(x, r)})

**What it measures.** Cube's shape gives every task an XState actor for as long as it lives (docs/architecture.md §1), so no
Cube keeps a live task in less heap than that actor. In a process of its own, with nothing but XState and Cube's machines,
${fmt(x.n)} actors are spawned in shards of 64 and kept; heap per actor is the V8 heap after a full GC less before, over N
(bench/scale-floor.ts). ${x.runs.length / 3} rounds, a fresh process each; medians.

| what is spawned | heap per live actor | spawn → Running |
|---|---:|---:|
| a one-state machine with an empty context (XState's least) | ${fmt(x.bareHeap)} B | |
| Cube's task machine with its record, Running, by Cube's shard machine (snapshot sync on, as a worker spawns it) | **${fmt(x.taskHeap)} B** | ${x.taskMicros} µs |
| the same without the snapshot sync (a worker would not hear its tasks) | ${fmt(x.taskHeapWithoutSync)} B | |

The task actors alone take ${fmt(x.taskHeap)} B per live task, against the issue's 4,096 B for all of Cube: the worker's
index of its tasks, the manager's copy of each record, its listing order and the change logs come on top.${budget}

<details><summary>Every run</summary>

| what | actors | heap per actor | µs per actor |
|---|---:|---:|---:|
${runs}

</details>
`;
}

/** Scale, idle: CPU, events and write calls of a manager nobody asks anything, empty against N finished tasks. */
function scaleIdle(r: Json, x: Json, rows: string[]): string {
  const cores = (n: number) => `${fmt(n * 100, 2)} % of a core`;
  const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1 (both 0)' : '∞ (empty: 0)') : fmt(a / b, 2));
  rows.push(
    `| | idle CPU of the manager's process over ${x.windowSeconds} s, ${fmt(x.n)} finished tasks / empty data dir (FAKE runtime) | ${cores(x.cpu.history)} / ${cores(x.cpu.empty)}: **${ratio(x.cpu.history, x.cpu.empty)}** (difference ${fmt(x.cpu.difference * 100, 2)} points, noise ${fmt(x.cpu.noise * 100, 2)}) | equal within noise | ${yes(x.met.cpu)} |`,
    `| | idle events on \`GET /events\` in ${x.windowSeconds} s, ${fmt(x.n)} finished / empty | ${fmt(x.events.history)} / ${fmt(x.events.empty)}: **${ratio(x.events.history, x.events.empty)}** (noise ${fmt(x.events.noise)}) | equal within noise | ${yes(x.met.events)} |`,
  );
  const runs = x.runs
    .map(
      (y: Json) =>
        `| ${y.kind === 'history' ? `${fmt(x.n)} finished` : 'empty'} | ${fmt(y.tasks)} | ${cores(y.cores)} | ${fmt(y.events)} | ${fmt(y.writeCalls)} | ${y.otherCores} |`,
    )
    .join('\n');
  return `### Idle cost with ${fmt(x.n)} finished tasks

**What it measures.** The real \`cube start --runtime fake\` (the FAKE runtime: nothing runs), SQLite stores, once on an empty
data dir and once on a copy of one that holds ${fmt(x.n)} Completed tasks (each POSTed, seen Running and DELETEd through the API),
alternating, ${x.rounds} rounds. \`CUBE_RETENTION_MAX\` is 100,000 on both sides so retention prunes none of them (each run checks
that the manager still holds all of them afterwards). After the start, the benchmark follows \`GET /events?snapshot=live\`,
waits ${x.settleSeconds} s for the syncs that follow a start, then counts for ${x.windowSeconds} s: the CPU time of the manager's process
(the manager and its worker, from /proc), the events \`GET /events\` sent, and the write system calls of the process (files and
sockets, from /proc; for reference). Sync period ${syncPeriod(x)}, so the window covers at least two syncs. Nobody sends the
manager anything meanwhile.

**Within noise** means: the median with ${fmt(x.n)} finished tasks is above the empty one's by no more than the spread (highest −
lowest) of the empty runs, or ${fmt(x.floors.cores * 100, 1)} % of a core and ${x.floors.events} events, whichever is larger.

| data dir | median CPU | median events in ${x.windowSeconds} s | median write calls |
|---|---:|---:|---:|
| empty | ${cores(x.cpu.empty)} | ${fmt(x.events.empty)} | ${fmt(x.writes.empty)} |
| ${fmt(x.n)} finished | ${cores(x.cpu.history)} | ${fmt(x.events.history)} | ${fmt(x.writes.history)} |

CPU: ${yes(x.met.cpu)} (difference ${fmt(x.cpu.difference * 100, 2)} points of a core, noise ${fmt(x.cpu.noise * 100, 2)}). Events: ${yes(x.met.events)}
(difference ${fmt(x.events.difference)}, noise ${fmt(x.events.noise)}). Before issue 13 (the issue's figures): 14.6 % of a core and 99,965
events in 40 s with 50k completed tasks.

<details><summary>Every run</summary>

| data dir | tasks held | CPU | events | write calls | other processes (cores) |
|---|---:|---:|---:|---:|---:|
${runs}

</details>

${phaseWhen(x, r)}.
`;
}

/** Scale, start: spawn of cube start → its first answer, empty against N finished tasks. */
function scaleStart(r: Json, x: Json, rows: string[]): string {
  rows.push(
    `| | \`cube start\` (FAKE runtime) → first answer of \`GET /tasks\`, ${fmt(x.n)} finished tasks / empty data dir, alternating | ${ms(x.historyMs)} / ${ms(x.emptyMs)}: **${x.ratio}** | ≤ ${x.target} | ${yes(x.met)} |`,
  );
  const chart = writeChart('scale-start', {
    title: `cube start → first answer, empty vs ${fmt(x.n)} finished tasks`,
    subtitle: `FAKE runtime, SQLite; median of ${x.rounds} alternating runs, dots are single runs; ratio ${x.ratio} (target ≤ ${x.target})`,
    unit: 'milliseconds (lower is better)',
    bars: [
      {
        label: 'empty data dir',
        value: x.emptyMs,
        color: COLORS.raw,
        points: x.runs.filter((y: Json) => y.kind === 'empty').map((y: Json) => y.answerMs),
        text: ms(x.emptyMs),
      },
      {
        label: `${fmt(x.n)} finished`,
        value: x.historyMs,
        color: COLORS.cube,
        points: x.runs.filter((y: Json) => y.kind === 'history').map((y: Json) => y.answerMs),
        text: ms(x.historyMs),
      },
    ],
    target: { value: x.emptyMs * x.target, label: `${x.target} × empty` },
  });
  const runs = x.runs
    .map(
      (y: Json) =>
        `| ${y.kind === 'history' ? `${fmt(x.n)} finished` : 'empty'} | ${ms(y.listenMs)} | ${ms(y.answerMs)} | ${fmt(y.rssMB)} MB | ${y.otherCores} |`,
    )
    .join('\n');
  return `### Start time with ${fmt(x.n)} finished tasks

**What it measures.** From the spawn of \`cube start --runtime fake\` (its built JavaScript, SQLite stores) to the first answer
of \`GET /tasks?limit=1\` (200: the manager has read its stores and serves), on an empty data dir and on a copy of the one with
${fmt(x.n)} Completed tasks, alternating, ${x.rounds} rounds after one unmeasured start of each (which also checks that the
${fmt(x.n)} are all restored). The process is stopped with SIGTERM after each.

${chart}

Medians: empty ${ms(x.emptyMs)} (RSS ${fmt(x.emptyRssMB)} MB), ${fmt(x.n)} finished ${ms(x.historyMs)} (RSS ${fmt(x.historyRssMB)} MB):
**ratio ${x.ratio}** (target ≤ ${x.target}: ${yes(x.met)}). Before issue 13 (the issue's figures): 0.51 s empty, 2.17 s with 50k
completed tasks (RSS 112 → 473 MB).

<details><summary>Every run</summary>

| data dir | listening after | first answer after | RSS then | other processes (cores) |
|---|---:|---:|---:|---:|
${runs}

</details>

${phaseWhen(x, r)}.
`;
}

/** Scale, paging: a probe's GET /tasks latency alone and while clients read the whole list. */
function scalePaging(r: Json, x: Json, rows: string[]): string {
  const pair = (y: Json) => `p50 ${ms(y.p50Ms)}, p99 ${ms(y.p99Ms)}`;
  rows.push(
    `| | \`GET /tasks?limit=1\` latency with ${x.pagers} clients paging through ${fmt(x.n)} tasks (\`?limit=${x.pageSize}&continue=…\`) / with none (FAKE runtime) | ${pair(x.paged)} / ${pair(x.idle)}: **p50 ${x.pagedRatio.p50}×, p99 ${x.pagedRatio.p99}×** | none set | no target |`,
  );
  if (x.whole) {
    rows.push(
      `| | the same with ${x.wholeReaders} clients reading the whole list unpaged (streamed) / with none | ${pair(x.whole)} / ${pair(x.idle)}: **p50 ${x.wholeRatio.p50}×, p99 ${x.wholeRatio.p99}×** | none set | no target |`,
    );
  }
  const load = (y: Json) =>
    y.load === 'page' ? `${y.clients} paging by ${x.pageSize}` : y.load === 'whole' ? `${y.clients} reading it whole` : 'nobody reads';
  const runs = x.runs
    .map(
      (y: Json) =>
        `| ${load(y)} | ${fmt(y.probes)} | ${ms(y.p50Ms)} | ${ms(y.p99Ms)} | ${ms(y.maxMs)} | ${fmt(y.seconds, 1)} s | ${y.readerP50Ms === undefined ? '—' : `${ms(y.readerP50Ms)} / ${ms(y.readerP99Ms)}`} | ${y.serverCores} | ${y.otherCores} |`,
    )
    .join('\n');
  const chart = writeChart('scale-paging', {
    title: `GET /tasks?limit=1 p99 while others read ${fmt(x.n)} tasks`,
    subtitle: `FAKE runtime; median of ${x.rounds} alternating rounds' p99, dots are the rounds; no target in issue 13`,
    unit: 'milliseconds (lower is better)',
    bars: [
      {
        label: 'nobody reads',
        value: x.idle.p99Ms,
        color: COLORS.raw,
        points: x.runs.filter((y: Json) => y.load === 'none').map((y: Json) => y.p99Ms),
        text: ms(x.idle.p99Ms),
      },
      {
        label: `${x.pagers} paging`,
        value: x.paged.p99Ms,
        color: COLORS.cube,
        points: x.runs.filter((y: Json) => y.load === 'page').map((y: Json) => y.p99Ms),
        text: ms(x.paged.p99Ms),
      },
      ...(x.whole
        ? [
            {
              label: `${x.wholeReaders} whole-list readers`,
              value: x.whole.p99Ms,
              color: COLORS.level,
              points: x.runs.filter((y: Json) => y.load === 'whole').map((y: Json) => y.p99Ms),
              text: ms(x.whole.p99Ms),
            },
          ]
        : []),
    ],
  });
  return `### \`GET /tasks\` while clients page through ${fmt(x.n)} tasks

**What it measures.** One \`cube start --runtime fake\` on a copy of the data dir with ${fmt(x.n)} Completed tasks. A probe in
the benchmark's process sends \`GET /tasks?limit=1\` every 10 ms (a one-task page costs the manager next to nothing, so its
latency is the wait the other readers cause). Alternating in each of ${x.rounds} rounds: the probe alone for 10 s; the probe
while ${x.pagers} clients each page through the whole list (\`?limit=${x.pageSize}\`, then \`&continue=\` the \`Cube-Continue\` of the
page before, until there is none)${x.whole ? `; and the probe while ${x.wholeReaders} clients each take the whole list unpaged (\`GET /tasks\`, which the manager streams in chunks)` : ''}.
The readers run in a process of their own (bench/scale-pagers.ts) on the same 2 cores, and each must count all ${fmt(x.n)}
tasks. Figures are the median over the rounds of each round's p50 and p99. Issue 13 sets no figure: it asks that other requests
keep being served.

${chart}

Probe alone: ${pair(x.idle)}. With ${x.pagers} clients paging: ${pair(x.paged)} (p50 ${x.pagedRatio.p50}×, p99 ${x.pagedRatio.p99}×).${
    x.whole ? ` With ${x.wholeReaders} whole-list readers: ${pair(x.whole)} (p50 ${x.wholeRatio.p50}×, p99 ${x.wholeRatio.p99}×).` : ''
  } Before issue 13 (the issue's figures) one unpaged \`GET /tasks\` of 50k tasks held every other request for 618 ms.

<details><summary>Every run</summary>

| readers | probes | probe p50 | probe p99 | probe max | lasted | readers' requests p50 / p99 | manager (cores) | other processes (cores) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${runs}

</details>

${phaseWhen(x, r)}.
`;
}

/** Scale, retained: the heap a manager keeps of tasks it ran, stopped and pruned. */
function scaleRetained(r: Json, x: Json, rows: string[]): string {
  const heaps = (y: Json) => y.heapMB.map((mb: number) => `${fmt(mb, 1)} MB`).join(', ');
  const before = x.baseline ? ` / ${fmt(x.baseline.bytesPerTaskRun)} B at ${x.baseline.commit}, before shards retired` : '';
  rows.push(
    `| | heap kept per task run, stopped and pruned, after the first ${fmt(x.n)} (${x.rounds} rounds of ${fmt(x.n)}, one manager, FAKE runtime) | **${fmt(x.bytesPerTaskRun)} B**${before} | none set (the issue: cost follows the work, not the history) | no target |`,
  );
  return `### Retained: what is kept of tasks that are gone (${phaseWhen(x, r)})

One manager with its worker (bench/scale-server.ts, \`CUBE_RETENTION_MAX=0\`): each round POSTs ${fmt(x.n)} tasks, waits until all
are Running, DELETEs them, waits until all are Completed, asks for a sweep (\`POST /gc\`, after which \`GET /tasks\` must be empty)
and reads the V8 heap after a full GC. Bounded buffers (the worker's last 4,096 changes, the event log) fill in the first round;
after it, the heap per task run is **${fmt(x.bytesPerTaskRun)} B** (heap over the start after each round: ${heaps(x)}).${
    x.baseline
      ? `

The same rounds on commit ${x.baseline.commit} (checkout ${x.baseline.root}), after, in the same run: **${fmt(x.baseline.bytesPerTaskRun)} B** per task run (${heaps(x.baseline)}).
There, XState kept two transition lookups for every task a worker ever ran: it memoizes them per event type, and each task
actor's snapshot and done events carry the actor's id in their type. Shards now retire (machines/shard-pool.ts).`
      : ''
  }
`;
}

/** Scale (bench/scale.ts, issue 13): rates and heap, idle cost, start time and paging, each phase as last measured. */
function scaleSection(r: Json, summary: string[]): string {
  const parts: string[] = [];
  const rows: string[] = [];
  if (r.rates) parts.push(scaleRates(r, r.rates, rows));
  else notMeasured('rates at 1k–100k tasks, against the commit before issue 13; heap per live task', rows);
  if (r.idle) parts.push(scaleIdle(r, r.idle, rows));
  else notMeasured('idle CPU and events with 0 and 50k finished tasks', rows);
  if (r.start) parts.push(scaleStart(r, r.start, rows));
  else notMeasured('start time with 50k finished tasks', rows);
  if (r.paging) parts.push(scalePaging(r, r.paging, rows));
  else notMeasured('`GET /tasks` latency while 50 clients page through it', rows);
  if (r.retained) parts.push(scaleRetained(r, r.retained, rows));
  if (r.floor) parts.push(scaleFloor(r, r.floor, rows));
  else notMeasured('heap kept per task run and pruned', rows);
  summary.push(rows[0]!.replace(/^\| \|/, '| [Scale](#scale) |'), ...rows.slice(1));
  const history = r.history
    ? ` The history of the idle, start and paging phases (${fmt(r.history.n)} tasks POSTed, Running, DELETEd) took ${fmt(r.history.seconds, 1)} s to make.`
    : '';
  return `## Scale

> **The worker here runs on the FAKE runtime (\`CUBE_RUNTIME=fake\`): its containers are simulated and nothing runs.**
> The rates' baseline (the commit before issue 13, which has no fake runtime) runs on \`MemoryRuntime\`, its in-memory stand-in.

bench/scale.ts: what a manager costs as its work and its history grow, through its public API only; each comparison measured
in one run, alternating, medians. A phase may come from a run of its own: each says when it was measured.${history}

**Run it:** \`npm run build && node --import tsx bench/scale.ts\` — options \`--phases rates,idle,start,paging,retained,floor\`, \`--rounds 3\`,
\`--sizes 1000,10000,50000,100000\`, \`--baseline DIR\`, \`--profile\`, \`--history 50000\`, \`--idle-window 40\`, \`--reconcile SECONDS\`,
\`--start-rounds 5\`, \`--pagers 50\`, \`--page 500\`, \`--whole-readers 5\`, \`--quiet-wait 180\`, \`--retained-tasks 10000\`,
\`--retained-rounds 4\`, \`--floor-tasks 10000\`. No Docker.

${parts.join('\n')}`;
}

/** Stops on real Docker (bench/docker-stop.ts, issue 13): 200 DELETEs through Cube against raw stop + remove. */
function dockerStopSection(r: Json, rows: string[]): string {
  rows.push(
    `| [Stops on real Docker](#stops-on-real-docker) | ${escape(r.measures)} | cube ${s(r.cube.medianMs)} vs raw ${s(r.raw.medianMs)}: **ratio ${r.ratio}** | ≤ ${r.target} | ${yes(r.met)} |`,
  );
  const runs = r.cube.rounds
    .map((c: Json, i: number) => `| ${i + 1} | ${s(c.ms)} | ${s(r.raw.rounds[i].ms)} | ${c.otherCores} / ${r.raw.rounds[i].otherCores} |`)
    .join('\n');
  return `## Stops on real Docker

**What it measures.** ${escape(r.measures)}, Docker ${escape(r.docker)}, image \`${escape(r.image)}\`; ${r.rounds} rounds, the order
alternating; medians. A stop costs Cube two Docker calls (stop, remove) when its container is known and settled.
${escape(r.disturbed.charAt(0).toUpperCase() + r.disturbed.slice(1))}; the last attempt counts.

**Run it:** \`node --import tsx bench/docker-stop.ts [rounds] [count]\` (default 3 rounds, 200 containers). Docker.

| round | cube | raw | other processes (cores, cube / raw) |
|---:|---:|---:|---:|
${runs}

Medians: cube ${s(r.cube.medianMs)}, raw ${s(r.raw.medianMs)}: **ratio ${r.ratio}** (target ≤ ${r.target}: ${yes(r.met)}).

${when(r)}.
`;
}

function main() {
  const workerStart = load('worker-start');
  const controlPlane = load('control-plane');
  const docker50 = load('docker-50');
  const restart = load('restart');
  const slowClients = load('slow-clients');
  const cliStart = load('cli-start');
  const sim = load('sim');
  const failover = load('failover');
  const scale = load('scale');
  const dockerStop = load('docker-stop');
  const eventLoop = load('event-loop');
  const known = new Set([
    'worker-start',
    'control-plane',
    'docker-50',
    'restart',
    'slow-clients',
    'cli-start',
    'sim',
    'failover',
    'scale',
    'docker-stop',
    'event-loop',
  ]);
  const others = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !known.has(f.slice(0, -5)))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Json);
  const all = [workerStart, controlPlane, docker50, restart, slowClients, cliStart, sim, failover, scale, dockerStop, eventLoop, ...others].filter(Boolean);
  const newest = [...all].sort((a, b) => String(b.at).localeCompare(String(a.at)))[0];
  const machine = all.find((r) => r.machine)?.machine;

  const rows: string[] = [];
  const sections: string[] = [];

  if (workerStart) {
    const r = workerStart;
    const met = r.ratio <= r.target;
    rows.push(
      `| [Worker start](#worker-start) | one task, POST → State 2 on a worker, against raw dockerode create+start | cube ${ms(r.cubeMs.median)} vs raw ${ms(r.rawMs.median)}: **ratio ${r.ratio}** | ≤ ${r.target} | ${yes(met)} |`,
    );
    const chart = writeChart('worker-start', {
      title: 'Worker start: one container, request → running',
      subtitle: `median of ${r.runs} interleaved runs, dots are single runs; cube/raw = ${r.ratio} (target ≤ ${r.target})`,
      unit: 'milliseconds (lower is better)',
      bars: [
        { label: 'raw dockerode', value: r.rawMs.median, color: COLORS.raw, points: r.rawMs.runs, text: ms(r.rawMs.median) },
        { label: 'Cube worker', value: r.cubeMs.median, color: COLORS.cube, points: r.cubeMs.runs, text: ms(r.cubeMs.median) },
      ],
    });
    sections.push(`## Worker start

${chart}

**What it measures.** The time from \`POST /tasks\` on a worker to the task at State 2 (Running), for one task at a time,
against raw dockerode \`createContainer\` + \`start\` of the same image with the same container options (HostConfig
Init true, RestartPolicy "no"). Cube runs as a real \`cube worker\` process on loopback; the client hears of State 2 on the
worker's \`GET /events\` stream and confirms it with \`GET /tasks\`. Raw and Cube runs are interleaved, one warm-up of each
first; each container is removed after its run.

**Run it:** \`node --import tsx bench/worker-start.ts [runs]\` (default 21 runs; needs Docker and \`strm/helloworld-http\`).

| | median | p90 |
|---|---:|---:|
| raw dockerode create+start | ${ms(r.rawMs.median)} | ${ms(r.rawMs.p90)} |
| Cube POST → State 2 (seen in GET) | ${ms(r.cubeMs.median)} | ${ms(r.cubeMs.p90)} |
| **ratio cube/raw (medians)** | **${r.ratio}** | target ≤ ${r.target}: ${yes(met)} |

${r.runs} runs, image \`${r.image}\`, ${r.docker ? `Docker ${r.docker}, ` : ''}${when(r)}.${r.disturbed ? ` On this shared machine, ${r.disturbed}.` : ''}
`);
  }

  if (controlPlane) {
    const r = controlPlane;
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
    let sweep = '';
    if (r.sweep) {
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
      sweep = `
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
    let profile = '';
    const profiles: Json[] = r.profiles ?? [];
    const large = profiles.find((p) => p.n === r.large.n);
    const small = profiles.find((p) => p.n === r.small.n);
    if (large) {
      const perTask = (p: Json | undefined, list: 'self' | 'cubeTotal', name: string) => {
        const hit = p?.[list]?.find((e: Json) => e.name === name);
        return hit ? `${fmt(hit.usPerTask, 1)} µs` : '—';
      };
      profile = `
### Where the manager's time goes

A CPU profile of the manager's thread (the inspector's sampling profiler, taken in extra runs that are not counted:
${fmt(small?.tasksPerSecondWhileProfiled ?? 0)} and ${fmt(large.tasksPerSecondWhileProfiled)} tasks/s under the profiler).
Per-task costs at ${fmt(r.small.n)} and ${fmt(r.large.n)} tasks show whether anything grows with the number of tasks.

By area (self time, ${fmt(r.large.n)} tasks, ${s(large.ms)} profiled):

| area | share | time |
|---|---:|---:|
${large.areas
  .slice(0, 10)
  .map((a: Json) => `| ${a.name} | ${a.percent} % | ${ms(a.ms)} |`)
  .join('\n')}

Functions with the most self time:

| function | share at ${fmt(r.large.n)} | per task at ${fmt(r.small.n)} | per task at ${fmt(r.large.n)} |
|---|---:|---:|---:|
${large.self
  .slice(0, 12)
  .map((f: Json) => `| \`${f.name}\` | ${f.percent} % | ${perTask(small, 'self', f.name)} | ${perTask(large, 'self', f.name)} |`)
  .join('\n')}

Cube's functions by total time (their callees included; a POST's whole synchronous path runs inside \`ask\`):

| function | share at ${fmt(r.large.n)} | per task at ${fmt(r.small.n)} | per task at ${fmt(r.large.n)} |
|---|---:|---:|---:|
${large.cubeTotal
  .slice(0, 10)
  .map((f: Json) => `| \`${f.name}\` | ${f.percent} % | ${perTask(small, 'cubeTotal', f.name)} | ${perTask(large, 'cubeTotal', f.name)} |`)
  .join('\n')}
${findings(small, large, r.small.n, r.large.n)}`;
    }
    const runRows = r.runs
      .map(
        (run: Json) =>
          `| ${fmt(run.n)} | ${s(run.totalMs)} | ${fmt(run.tasksPerSecond)} | ${s(run.postsMs)} | ${fmt(run.postLatencyMs.median, 1)} / ${fmt(run.postLatencyMs.p99, 1)} ms | ${Math.round(run.managerBusy * 100)} % | ${Math.round(run.clientBusy * 100)} % | ${run.otherCores ?? '—'} |`,
      )
      .join('\n');
    sections.push(`## Control plane with an in-memory runtime

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
${sweep}${profile}`);
  }

  if (docker50) {
    const r = docker50;
    const swarmOk = r.swarm && r.swarm.medianMs !== undefined;
    const byIdOk = r.swarmById && r.swarmById.medianMs !== undefined;
    rows.push(
      `| [50 containers on real Docker](#50-containers-on-real-docker) | 50 tasks at once through the manager → all Running, against raw dockerode (same concurrency) | cube ${s(r.cube.medianMs)} vs raw ${s(r.raw.medianMs)}: **ratio ${r.ratio}** | ≤ ${r.target} | ${yes(r.met)} |`,
    );
    rows.push(
      `| | the same 50 as a Docker Swarm service | ${
        swarmOk
          ? `by tag ${s(r.swarm.medianMs)}: **swarm/raw ${r.swarmRatio}**${byIdOk ? `; by image ID ${s(r.swarmById.medianMs)}: **${r.swarmByIdRatio}**` : ''}`
          : `not measured: ${escape(r.swarm?.error ?? 'unknown')}`
      } | (none) | — |`,
    );
    const seconds = (list: number[]) => list.map((v) => v / 1000);
    const bars: Bar[] = [
      { label: 'raw dockerode', value: r.raw.medianMs / 1000, color: COLORS.raw, points: seconds(r.raw.roundsMs), text: s(r.raw.medianMs) },
      { label: 'Cube manager', value: r.cube.medianMs / 1000, color: COLORS.cube, points: seconds(r.cube.roundsMs), text: s(r.cube.medianMs) },
    ];
    if (byIdOk)
      bars.push({
        label: 'Swarm, image by ID',
        value: r.swarmById.medianMs / 1000,
        color: COLORS.swarm,
        points: seconds(r.swarmById.roundsMs),
        text: s(r.swarmById.medianMs),
      });
    if (swarmOk)
      bars.push({
        label: 'Swarm, image by tag',
        value: r.swarm.medianMs / 1000,
        color: COLORS.swarm,
        points: seconds(r.swarm.roundsMs),
        text: s(r.swarm.medianMs),
      });
    const chart = writeChart('docker-50', {
      title: '50 containers at once on real Docker',
      subtitle: `time until all 50 run; median of ${r.rounds} rounds, dots are rounds; cube/raw = ${r.ratio}${swarmOk ? `, swarm/raw = ${r.swarmRatio} by tag` : ''}${byIdOk ? `, ${r.swarmByIdRatio} by ID` : ''}`,
      unit: 'seconds (lower is better)',
      bars,
    });
    const roundRows = r.cube.roundsMs
      .map(
        (_: number, i: number) =>
          `| ${i + 1} | ${s(r.raw.roundsMs[i])} | ${s(r.cube.roundsMs[i])} | ${byIdOk ? s(r.swarmById.roundsMs[i]) : '—'} | ${swarmOk ? s(r.swarm.roundsMs[i]) : '—'} |`,
      )
      .join('\n');
    sections.push(`## 50 containers on real Docker

${chart}

**What it measures.** Fifty containers of \`${r.image}\` requested at once, in the same run:

- **Cube:** a manager with one worker in its process on the real \`DockerRuntime\` (\`startManager\` with
  \`local: [{ port: null, name: 'bench-<random>' }]\`, memory store); all 50 \`POST /tasks\` are sent at once, and the clock
  stops when the manager's \`GET /events\` stream has shown all 50 with State 2 (\`GET /tasks\` then confirms it).
- **raw:** dockerode \`createContainer\` + \`start\` of 50 containers, all 50 at once, with the options Cube gives Docker
  (HostConfig Init true, RestartPolicy "no", labels, no ports); the clock stops when the last start returns.
- **Swarm:** \`docker service create --detach --replicas 50 --no-resolve-image <image>\`; the clock stops when Docker's
  event stream has shown 50 of the service's containers started. Twice: **by tag** (\`${r.image}\`, as a user writes it)
  and **by image ID** (\`${r.imageId ?? 'sha256:…'}\`). By tag, Swarm's agent tries to pull the tag before every task
  (\`--no-resolve-image\` only spares the manager's lookup); this machine has no internet, so each pull fails at once (DNS)
  and the local image is used. By image ID the agent never pulls. The gap between the two is that per-task pull attempt.
  If the node is not a swarm manager the benchmark runs \`docker swarm init\`, and \`docker swarm leave --force\` at the
  end (only then).${r.swarmInitialisedByBenchmark ? ' It did so in this run.' : ''}

The order rotates every round; every container (and service) is removed after each measurement, untimed, before the
next begins, and one unmeasured raw round warms Docker up first. ${r.disturbed ? `On this shared machine, ${r.disturbed}.` : ''}

**Run it:** \`node --import tsx bench/docker-50.ts [rounds]\` (default 3; needs Docker and \`strm/helloworld-http\`).

| round | raw | Cube | Swarm (by ID) | Swarm (by tag) |
|---:|---:|---:|---:|---:|
${roundRows}
| **median** | **${s(r.raw.medianMs)}** | **${s(r.cube.medianMs)}** | ${byIdOk ? `**${s(r.swarmById.medianMs)}**` : '—'} | ${swarmOk ? `**${s(r.swarm.medianMs)}**` : '—'} |
| **ratio to raw** | 1 | **${r.ratio}** (target ≤ ${r.target}: ${yes(r.met)}) | ${byIdOk ? `**${r.swarmByIdRatio}**` : '—'} | ${swarmOk ? `**${r.swarmRatio}**` : `not measured: ${escape(r.swarm?.error ?? '')}`} |

Docker ${r.docker}, ${when(r)}. With 50 requests at once Docker itself is the bottleneck (it serialises much of
create/start), so Cube's own per-task work disappears in the wait; compare [Worker start](#worker-start) for one task alone.
`);
  }

  if (restart) {
    const r = restart;
    const met = r.cubeMs.median < r.targetMedianMs;
    rows.push(
      `| [Restart after docker kill](#restart-after-docker-kill) | \`docker kill\` of a task's container → Running again, ${r.kills} kills, no backoff | median **${ms(r.cubeMs.median)}**, worst ${ms(r.cubeMs.worst)} | median < ${ms(r.targetMedianMs)} | ${yes(met)} |`,
    );
    const chart = writeChart('restart', {
      title: 'Restart after docker kill',
      subtitle: `median of ${r.kills} kills, dots are single kills; restart / create+start = ${r.ratio}`,
      unit: 'milliseconds (lower is better)',
      bars: [
        {
          label: 'raw create+start',
          value: r.rawCreateStartMs.median,
          color: COLORS.raw,
          points: r.rawCreateStartMs.runs,
          text: ms(r.rawCreateStartMs.median),
        },
        { label: 'Cube restart', value: r.cubeMs.median, color: COLORS.cube, points: r.cubeMs.runs, text: ms(r.cubeMs.median) },
      ],
    });
    sections.push(`## Restart after docker kill

${chart}

**What it measures.** One task on a real \`cube worker\` process (\`CUBE_RESTART_DELAY=0\`: the first restart, without
backoff, every time). ${r.kills} times: \`docker kill\` its container, and stop the clock when the worker's \`GET /events\`
stream shows the task Running in a new container. That is Docker's \`die\` event reaching the task, the Failed task
stopping what is left, the restart, removing the dead container (its name is needed again), and creating and starting
a new one. For reference, in the same run: a plain dockerode create+start of the same image, the floor of any restart.
(Docker's own restart policy cannot serve: Docker counts \`docker kill\` as a manual stop and does not restart.)

**Run it:** \`node --import tsx bench/restart.ts [kills]\` (default 20; needs Docker and \`strm/helloworld-http\`).

| | median | worst |
|---|---:|---:|
| Cube: kill → Running again | **${ms(r.cubeMs.median)}** | ${ms(r.cubeMs.worst)} |
| raw create+start | ${ms(r.rawCreateStartMs.median)} | ${ms(r.rawCreateStartMs.worst)} |
| **ratio (medians)** | **${r.ratio}** | target: median < ${ms(r.targetMedianMs)}: ${yes(met)} |

${when(r)}.
`);
  }

  if (slowClients) {
    const r = slowClients.readers;
    const t = slowClients.targets;
    const o = slowClients.options;
    const st = slowClients.stalled;
    const mb = (n: number) => `${fmt(n, 1)} MB`;
    const signed = (n: number) => `${n >= 0 ? '+' : '−'}${mb(Math.abs(n))}`;
    const peakAbove = r.readersPeakMB;
    const afterAbove = r.readersLeftMB;
    const ratio = r.loadedP99 / r.twinLoadedP99;
    const metMemory = peakAbove <= t.peakAboveBaselineMB && afterAbove <= t.afterAboveBaselineMB;
    const metLatency = ratio <= t.p99Ratio;
    rows.push(
      `| [Slow clients](#slow-clients) | ${o.readers} readers of \`GET /events\` that never read, events flowing: what they add to the manager's memory (highest vs highest), then leave after they close (lowest vs lowest), less the twin's own drift | **${signed(peakAbove)}**, after **${signed(afterAbove)}** | ≤ +${t.peakAboveBaselineMB} MB, then ≤ +${t.afterAboveBaselineMB} MB | ${yes(metMemory)} |`,
    );
    rows.push(
      `| | \`GET /tasks\` p99 with those readers / of a twin manager without, asked in turn | ${ms(r.loadedP99)} / ${ms(r.twinLoadedP99)}: **${fmt(ratio, 2)}** | ≤ ${t.p99Ratio} | ${yes(metLatency)} |`,
    );
    rows.push(
      `| | stalled sockets with the default limits: ${st.slowHeaders.count} slow headers, ${st.halfBodies.count} half-sent bodies → closed | after ${s(st.slowHeaders.lastClosedMs)} and ${s(st.halfBodies.lastClosedMs)} at most | headers ${s(slowClients.limits.headersTimeoutMs)}, body ${s(slowClients.limits.bodyTimeoutMs)} (+ Node's check interval) | ${yes(st.slowHeaders.lastClosedMs <= slowClients.limits.headersTimeoutMs + 1500 && st.halfBodies.lastClosedMs <= slowClients.limits.bodyTimeoutMs + 1500)} |`,
    );
    sections.push(`## Slow clients

**What it measures.** A real \`cube start\` process (its worker is real, and idle: every task asks for 1 PiB of memory,
so it fails at once for want of room and Docker does no work). ${o.seedTasks} tasks with ${o.envBytes / 1024} KiB of \`Env\` each (what makes
events large; the snapshot is ${fmt(r.snapshotBytes / 1024)} KiB), and one of them submitted again every ${o.submitEveryMs} ms for the whole run,
so events keep coming while the number of records stays the same. Phases of ${s(o.phaseMs)}, each timing \`GET /tasks\` back
to back and sampling the managers' resident memory (VmRSS) every 50 ms: a warm-up, until the manager has made ${fmt(o.warmVersions)} changes
(more than the 4,096 it keeps for \`?since=\`, so its memory is at its steady state); without readers; with ${o.readers} readers that
open \`GET /events\` on raw sockets and never read; and after they close, phase after phase until its lowest is within
${t.afterAboveBaselineMB} MB of the lowest before (at most ${o.returnPhases}). A Node process's memory swings by tens of MB between garbage collections, so
like is compared with like: the highest with readers against the highest without, the lowest after (what is live once
collected) against the lowest before. A twin runs beside it: a second \`cube start\` with the same tasks and the same flow,
never a reader, asked \`GET /tasks\` in turn with the first, so both are timed at the same moments under the same noise of
this shared machine; what the twin's memory did meanwhile (the machine's and the flow's doing) is taken off the first's.
Then, on a fresh process with the
default limits, ${st.slowHeaders.count} clients that send a header line a second and never finish, and ${st.halfBodies.count} that send 10 bytes of a
1,000-byte body: the time until the manager closes each.

**Run it:** \`node --import tsx bench/slow-clients.ts [readers]\` (default 200; about 2 minutes; needs Docker for the worker).

| | without readers | with ${o.readers} readers | after they closed |
|---|---:|---:|---:|
| manager memory (RSS), lowest … highest | ${mb(r.baselineMB)} … ${mb(r.baselinePeakMB)} | … ${mb(r.peakMB)} | ${mb(r.afterMB)} … (${s(r.returnedAfterMs)} after) |
| its twin's, at the same moments | ${mb(r.twinBaselineMB)} … ${mb(r.twinBaselinePeakMB)} | … ${mb(r.twinPeakMB)} | ${mb(r.twinAfterMB)} … |
| \`GET /tasks\` p50 | ${ms(r.idleP50)} | ${ms(r.loadedP50)} (twin: ${ms(r.twinLoadedP50)}) | ${ms(r.idleAgainP50)} |
| \`GET /tasks\` p99 | ${ms(r.idleP99)} | ${ms(r.loadedP99)} (twin without readers: ${ms(r.twinLoadedP99)}) | ${ms(r.idleAgainP99)} |
| manager CPU (the one with readers) | ${fmt(r.idleCpu, 2)} cores | ${fmt(r.loadedCpu, 2)} cores | ${fmt(r.idleAgainCpu, 2)} cores |
| GETs timed | ${fmt(r.idleGets)} | ${fmt(r.loadedGets)} | |

${fmt(r.submitted)} submissions were made while the readers were connected; they leave as they came, without reading. A reader
that never reads is dropped (with a last \`stream.dropped\` event) only once the kernel's socket buffers (several MB on
loopback) and its ${fmt(slowClients.limits.streamBuffer / 1024)} KiB stream buffer are full; until then, what keeps memory flat is that the
events queued for every reader are the same bytes, encoded once, and each snapshot is encoded a record at a time as its
reader takes it (docs/security.md). Before this (issue 10), 20 such readers grew the manager from 185 MB to 550 MB, and it
stayed at 578 MB after they closed.

| stalled sockets (default limits) | count | first closed | last closed | answered |
|---|---:|---:|---:|---|
| header line every second, never finished | ${st.slowHeaders.count} | ${s(st.slowHeaders.firstClosedMs)} | ${s(st.slowHeaders.lastClosedMs)} | ${st.slowHeaders.answered408} answered \`408\` (\`CUBE_HEADERS_TIMEOUT\` ${s(slowClients.limits.headersTimeoutMs)}, checked every second) |
| 10 bytes of a 1,000-byte body | ${st.halfBodies.count} | ${s(st.halfBodies.firstClosedMs)} | ${s(st.halfBodies.lastClosedMs)} | ${st.halfBodies.answered408} answered \`408\` (\`CUBE_BODY_TIMEOUT\` ${s(slowClients.limits.bodyTimeoutMs)}) |

${when(slowClients)}; the machine's 1-minute load average (other work on this shared machine) was ${slowClients.machineLoad.join(' before and ')} after.
`);
  }

  if (cliStart) {
    const r = cliStart;
    rows.push(
      `| [cube status start-up](#cube-status-start-up) | \`cube status\` against a running manager, as a whole process, against \`node -e 0\` | ${ms(r.cubeMs.median)} vs ${ms(r.nodeMs.median)}: **ratio ${r.ratio}** | ≤ ${r.target} | ${yes(r.met)} |`,
    );
    const chart = writeChart('cli-start', {
      title: 'cube status, start to exit',
      subtitle: `median of ${r.runs} interleaved runs, dots are single runs; cube status / node -e 0 = ${r.ratio} (target ≤ ${r.target})`,
      unit: 'milliseconds (lower is better)',
      bars: [
        { label: 'node -e 0', value: r.nodeMs.median, color: COLORS.raw, points: r.nodeMs.runs, text: ms(r.nodeMs.median) },
        { label: 'cube status', value: r.cubeMs.median, color: COLORS.cube, points: r.cubeMs.runs, text: ms(r.cubeMs.median) },
      ],
    });
    sections.push(`## cube status start-up

${chart}

**What it measures.** The wall time of \`node bin/cube.js status -m HOST:PORT\` as a whole process (start Node, load
cube's built JavaScript from \`dist/\`, \`GET /tasks\` from a running \`cube manager\` process with ten tasks, print
the table, exit), against \`node -e 0\` (start Node, do nothing), interleaved, one warm-up of each first. What keeps it
near Node's own start: \`npm install\` compiles the TypeScript once (no tsx at run time), a command loads only
its own modules (the servers' code is loaded when a server starts), and the client speaks \`node:http\` (\`fetch\`
would load its engine, undici, on first use: about 80 ms, more than the rest together).

**Run it:** \`npm run build && node --import tsx bench/cli-start.ts [runs]\` (default 31 pairs; no Docker needed).

| | median | p90 |
|---|---:|---:|
| \`node -e 0\` | ${ms(r.nodeMs.median)} | ${ms(r.nodeMs.p90)} |
| \`cube status\` | ${ms(r.cubeMs.median)} | ${ms(r.cubeMs.p90)} |
| **ratio (medians)** | **${r.ratio}** | target ≤ ${r.target}: ${yes(r.met)} |

${when(r)}. Other processes took ${r.otherCores} cores during the measurement that counted${r.discarded ? ` (${r.discarded} busier attempt(s) measured again)` : ''}.
`);
  }

  if (sim) {
    const a = sim.allCores;
    const o = sim.oneThread;
    const met = a.seedsPerSecond >= sim.targetSeedsPerSecond;
    const fmt1 = (n: number) => n.toLocaleString('en-US');
    rows.push(
      `| [Cluster simulator](#cluster-simulator) | seeded whole-cluster fault histories (test/sim), ${a.threads} threads | **${a.seedsPerSecond} seeds/s**, **${fmt1(a.clusterHoursPerMinute)} simulated cluster-hours per minute** | ≥ ${sim.targetSeedsPerSecond} seeds/s (1,000 in < 2 min) | ${yes(met)} |`,
    );
    sections.push(`## Cluster simulator

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
`);
  }

  if (failover) sections.push(failoverSection(failover, rows));
  if (scale) sections.push(scaleSection(scale, rows));
  if (dockerStop) sections.push(dockerStopSection(dockerStop, rows));
  if (eventLoop) sections.push(eventLoopSection(eventLoop, rows));

  for (const r of others) {
    rows.push(`| ${escape(r.name)} | (no description in bench/report.ts) | see ${r.name}.json | | |`);
  }

  const markdown = `# Benchmarks

<!-- Generated by bench/report.ts from docs/benchmarks/*.json: edit the generator, not this file. -->

What Cube costs on top of Docker, and how fast its control plane is without Docker. Every ratio is measured in one run,
against its baseline on the same machine at the same time. Results: [docs/benchmarks/](benchmarks/) (one JSON file each).

**Machine:** ${machine ? `${machine.cpus} cores (${escape(machine.cpuModel)}), ${machine.os}` : 'unknown'}; Node ${machine?.node ?? process.version};
Docker ${dockerVersion(all)}. Latest result ${newest ? String(newest.at).slice(0, 10) : '—'}.

| benchmark | measures | result | target | |
|---|---|---|---|---|
${rows.join('\n')}

${sections.join('\n')}
## Re-running everything

Each benchmark writes \`docs/benchmarks/<name>.json\`; the report turns them into this page and its charts.

\`\`\`sh
bash scripts/test-images.sh                        # builds strm/helloworld-http (no pulls)
node --import tsx bench/worker-start.ts            # ~1 min, Docker
node --import tsx bench/control-plane.ts --sweep 1,4,16,64,256,1024 --profile   # ~1 min, no Docker (MemoryRuntime)
node --import tsx bench/docker-50.ts               # ~2 min, Docker (+ Swarm)
node --import tsx bench/restart.ts                 # ~15 s, Docker
node --import tsx bench/slow-clients.ts            # ~2 min, Docker (an idle worker)
npm run build && node --import tsx bench/cli-start.ts   # ~20 s, no Docker
node --import tsx bench/sim.ts                     # ~2 min, no Docker (the cluster simulator)

node --import tsx bench/failover.ts                # ~5 min, etcd (scripts/etcd-up.sh), no Docker (MemoryRuntime)
npm run build && node --import tsx bench/scale.ts  # ~25 min, no Docker (the FAKE runtime; baseline checkout at /work/base-a57e813)
node --import tsx bench/docker-stop.ts             # ~5 min, Docker
npm run build && node --import tsx bench/event-loop.ts  # ~1 min, Docker (hostile inputs)
node --import tsx bench/report.ts                  # writes docs/benchmarks.md and docs/benchmarks/*.svg
\`\`\`

Or all of them and the report: \`npm run bench\` (about 10 minutes; the failover benchmark is run on its own, as it needs etcd); the report alone: \`npm run bench:report\`.

Benchmarks that use Docker leave nothing behind: their containers carry the label \`cube.worker=<name>\` (Swarm's carry
\`com.docker.swarm.service.name\`) and are removed after each measurement.
`;
  writeFileSync(join(root, 'docs/benchmarks.md'), markdown);
  console.log(`wrote ${join(root, 'docs/benchmarks.md')} and ${readdirSync(dir).filter((f) => f.endsWith('.svg')).length} chart(s) in ${dir}`);
}

main();
