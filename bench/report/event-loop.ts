// The "Event loop under hostile input" section of docs/benchmarks.md and its
// row in the summary, from docs/benchmarks/event-loop.json (bench/event-loop.ts).
import { when, yes } from './format.js';
import type { Json } from './results.js';

const cell = (r: Json | undefined) => (r ? `${r.p99Ms} / ${r.maxMs} ms (${r.heldMs} ms; worst run ${r.worstMaxMs} ms)` : '— (not an input of this role)');

export function eventLoopSection(r: Json, rows: string[]): string {
  const measured = r.results as Json[];
  const hostile = measured.filter((m) => !m.input.startsWith('nothing'));
  const worst = hostile.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
  rows.push(
    `| [Event loop under hostile input](#event-loop-under-hostile-input) | the longest a hostile input (an 8 MB log line, 5 MB of random output, a 300 MB event that never ends, 10 MB bodies at every route) holds a worker's or a manager's event loop (monitorEventLoopDelay max, median of ${r.runs} runs) | highest **${worst.maxMs} ms** (${worst.role}, ${worst.input}) | ≤ ${r.budgetMs} ms each | ${yes(r.met)} |`,
  );
  const inputs = [...new Set(measured.map((m) => m.input))];
  const of = (role: string, input: string) => measured.find((m) => m.role === role && m.input === input);
  const table = inputs.map((input) => `| ${input} | ${cell(of('worker', input))} | ${cell(of('manager', input))} |`).join('\n');
  return `## Event loop under hostile input

**What it measures.** ${r.measures}. Issue 23 found single inputs that held a process for seconds: a task's 8 MB line
(5.9 s of one synchronous run on its worker, which the manager then took for dead and moved every task off), and a
joined worker's event that never ended (the manager's \`GET /nodes\` took 6.2 s with one such worker, its RSS grew by
250 MB). Each input here is fed to a real worker, then to a real manager, each running alone in the benchmark's process,
from other processes (curl, a \`cube worker\`, a hostile "worker"); the manager reads the logs from its worker over HTTP.
The caps are the defaults: \`CUBE_LOG_LINE_MAX\` 1 MiB, \`CUBE_EVENT_MAX\` 16 MiB, \`CUBE_BODY_MAX\` 256 KiB.
Each input is fed ${r.runs} times and each time measured apart; the table gives the median run. This machine is shared
(2 cores, other work on them), and a timer can be late because the process was not running at all: so beside
\`monitorEventLoopDelay\`'s p99 and max, in parentheses, the most CPU time the process itself used between two ticks
of a 1 ms timer (what the input's handling held the loop for), and the highest max of any run. The idle line is the floor
the machine gives.

**Run it:** \`npm run build && node --import tsx bench/event-loop.ts\` (about a minute; Docker).

| input | worker: p99 / max (CPU held; worst run) | manager: p99 / max (CPU held; worst run) |
|---|---:|---:|
${table}

Budget: no input holds the event loop more than ${r.budgetMs} ms at a time (the median run's max): ${yes(r.met)}.

${when(r)}; the machine's 1-minute load average (other work on this shared machine) was ${r.load.before} before and ${r.load.after} after.
`;
}
