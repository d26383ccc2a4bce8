// The "npm start, again" section (bench/start-again.ts).
import { ms, when, yes } from './format.js';
import type { Json } from './results.js';

/** `npm start` when nothing changed since the last one: how soon it reaches its Docker check. */
export function startAgainSection(r: Json, rows: string[]): string {
  rows.push(
    `| [npm start, again](#npm-start-again) | \`npm start\` a second time, nothing changed: spawn to its Docker check | ${ms(r.dockerMs.median)} | < ${ms(r.targetMs)} | ${yes(r.met)} |`,
  );
  return `## npm start, again

**What it measures.** The wall time from spawning \`npm start\` to the line of \`scripts/docker-up.sh\` that says
the engine is up, when \`dist/\` matches the sources: \`scripts/build.mjs\` checks the build stamp (a stat of every
source and of the settings tsc reads) and compiles nothing. Before issue 25 every \`npm start\` compiled every file
(5–7 s). Also shown: until the manager listens.

**Run it:** \`npm run build && node --import tsx bench/start-again.ts [runs]\` (default 7; Docker up).

| | median | max |
|---|---:|---:|
| to the Docker check | ${ms(r.dockerMs.median)} | ${ms(r.dockerMs.max)} |
| to the manager listening | ${ms(r.listeningMs.median)} | ${ms(r.listeningMs.max)} |

Target < ${ms(r.targetMs)}: ${yes(r.met)}. ${when(r)}, ${r.runs} runs after one to warm up; other processes took
${r.otherCores} cores${r.discarded ? ` (${r.discarded} busier attempt(s) measured again)` : ''}.
`;
}
