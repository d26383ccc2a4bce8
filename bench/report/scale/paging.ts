// A phase of the scale section (bench/scale.ts): GET /tasks while clients page through N tasks.
import { COLORS, writeChart } from '../chart.js';
import { fmt, ms } from '../format.js';
import type { Json } from '../results.js';
import { phaseWhen } from './phase.js';

/** Scale, paging: a probe's GET /tasks latency alone and while clients read the whole list. */
export function scalePaging(r: Json, x: Json, rows: string[]): string {
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
