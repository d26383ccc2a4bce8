// The "Worker start" section: one task through a real worker against raw
// dockerode create+start (bench/worker-start.ts).
import { COLORS, writeChart } from './chart.js';
import { ms, when, yes } from './format.js';
import type { Json } from './results.js';

/** One task, POST → Running on a worker, against raw dockerode create+start. */
export function workerStartSection(r: Json, rows: string[]): string {
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
  return `## Worker start

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
`;
}
