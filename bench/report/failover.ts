// The "Failover of several managers on etcd" section (bench/failover.ts).
import { median } from '../lib.js';
import { COLORS, writeChart } from './chart.js';
import { fmt, ms, s, when, yes } from './format.js';
import type { Json } from './results.js';

/** The ratio of the rounds that others left quiet (≤ 0.25 cores), when each store has one. */
function quietRatio(runs: Json[]): string {
  const quiet = (store: string) => runs.filter((x) => x.store === store && x.otherCores <= 0.25).map((x) => x.perSecond as number);
  const [sqlite, etcd] = [quiet('sqlite'), quiet('etcd')];
  if (sqlite.length === 0 || etcd.length === 0) return '';
  return ` Of the rounds other processes left quiet (≤ 0.25 cores): SQLite ${fmt(median(sqlite))}, etcd ${fmt(median(etcd))} tasks/s, ratio ${fmt(median(etcd) / median(sqlite), 3)}.`;
}

/** Several managers on etcd (bench/failover.ts): the takeover after kill -9 of the leader, and the control plane on etcd against SQLite. */
export function failoverSection(r: Json, rows: string[]): string {
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
