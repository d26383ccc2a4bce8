// The "cube status start-up" section (bench/cli-start.ts).
import { COLORS, writeChart } from './chart.js';
import { ms, when, yes } from './format.js';
import type { Json } from './results.js';

/** `cube status` as a whole process, against `node -e 0`. */
export function cliStartSection(r: Json, rows: string[]): string {
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
  return `## cube status start-up

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
`;
}
