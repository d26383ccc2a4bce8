// The "Restart after docker kill" section (bench/restart.ts).
import { COLORS, writeChart } from './chart.js';
import { ms, when, yes } from './format.js';
import type { Json } from './results.js';

/** `docker kill` of a task's container → Running again, against a raw create+start. */
export function restartSection(r: Json, rows: string[]): string {
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
  return `## Restart after docker kill

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
`;
}
