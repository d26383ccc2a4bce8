// A phase of the scale section (bench/scale.ts): idle cost with N finished tasks.
import { fmt, yes } from '../format.js';
import type { Json } from '../results.js';
import { phaseWhen } from './phase.js';

/** The sync period a phase ran with: its CUBE_RECONCILE_INTERVAL, else the default. */
const syncPeriod = (phase: Json) => phase.env?.CUBE_RECONCILE_INTERVAL ?? '15s (the default)';

/** Scale, idle: CPU, events and write calls of a manager nobody asks anything, empty against N finished tasks. */
export function scaleIdle(r: Json, x: Json, rows: string[]): string {
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
