// The "Stops on real Docker" section (bench/docker-stop.ts).
import { escape, s, when, yes } from './format.js';
import type { Json } from './results.js';

/** Stops on real Docker (bench/docker-stop.ts, issue 13): 200 DELETEs through Cube against raw stop + remove. */
export function dockerStopSection(r: Json, rows: string[]): string {
  rows.push(
    `| [Stops on real Docker](#stops-on-real-docker) | ${escape(r.measures)} | cube ${s(r.cube.medianMs)} vs raw ${s(r.raw.medianMs)}: **ratio ${r.ratio}** | ≤ ${r.target} | ${yes(r.met)} |`,
  );
  const runs = r.cube.rounds
    .map((c: Json, i: number) => `| ${i + 1} | ${s(c.ms)} | ${s(r.raw.rounds[i].ms)} | ${c.otherCores} / ${r.raw.rounds[i].otherCores} |`)
    .join('\n');
  return `## Stops on real Docker

**What it measures.** ${escape(r.measures)}, Docker ${escape(r.docker)}, image \`${escape(r.image)}\`; ${r.rounds} rounds, the order
alternating; medians. A stop costs Cube two Docker calls (stop, remove) when its container is known and settled.
${escape(r.disturbed.charAt(0).toUpperCase() + r.disturbed.slice(1))}; the last attempt counts.

**Run it:** \`node --import tsx bench/docker-stop.ts [rounds] [count]\` (default 3 rounds, 200 containers). Docker.

| round | cube | raw | other processes (cores, cube / raw) |
|---:|---:|---:|---:|
${runs}

Medians: cube ${s(r.cube.medianMs)}, raw ${s(r.raw.medianMs)}: **ratio ${r.ratio}** (target ≤ ${r.target}: ${yes(r.met)}).

${when(r)}.
`;
}
