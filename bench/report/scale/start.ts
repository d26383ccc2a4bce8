// A phase of the scale section (bench/scale.ts): start time with N finished tasks.
import { COLORS, writeChart } from '../chart.js';
import { fmt, ms, yes } from '../format.js';
import type { Json } from '../results.js';
import { phaseWhen } from './phase.js';

/** Scale, start: spawn of cube start → its first answer, empty against N finished tasks. */
export function scaleStart(r: Json, x: Json, rows: string[]): string {
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
