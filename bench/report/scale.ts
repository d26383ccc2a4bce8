// The "Scale" section (bench/scale.ts, issue 13): each phase as last measured,
// from a module of its own in scale/, and its rows in the summary.
import { fmt } from './format.js';
import type { Json } from './results.js';
import { scaleFloor } from './scale/floor.js';
import { scaleIdle } from './scale/idle.js';
import { scalePaging } from './scale/paging.js';
import { scaleRates } from './scale/rates.js';
import { scaleRetained } from './scale/retained.js';
import { scaleStart } from './scale/start.js';

/** A phase's part of the section: it adds its rows to the section's, and answers its text. */
type Phase = (r: Json, phase: Json, rows: string[]) => string;

/** The phases in the order of the page, by their key in the result, with what their row says when one was not measured. */
const phases: [key: string, phase: Phase, what: string][] = [
  ['rates', scaleRates, 'rates at 1k–100k tasks, against the commit before issue 13; heap per live task'],
  ['idle', scaleIdle, 'idle CPU and events with 0 and 50k finished tasks'],
  ['start', scaleStart, 'start time with 50k finished tasks'],
  ['paging', scalePaging, '`GET /tasks` latency while 50 clients page through it'],
  ['retained', scaleRetained, 'heap kept per task run and pruned'],
  ['floor', scaleFloor, 'the floor under the shape: heap of one task actor with its record'],
];

/** Scale (bench/scale.ts, issue 13): rates and heap, idle cost, start time and paging, each phase as last measured. */
export function scaleSection(r: Json, summary: string[]): string {
  const parts: string[] = [];
  const rows: string[] = [];
  for (const [key, phase, what] of phases) {
    if (r[key]) parts.push(phase(r, r[key], rows));
    else rows.push(`| | ${what} | not measured in the last run of bench/scale.ts | see issue 13 | ❔ not measured |`);
  }
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
