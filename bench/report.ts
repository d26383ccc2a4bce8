// Writes docs/benchmarks.md from the results in docs/benchmarks/*.json, with
// one SVG bar chart per benchmark (docs/benchmarks/<name>.svg), drawn here
// with no dependencies.
//
//   node --import tsx bench/report.ts
//
// It measures nothing: run the benchmarks first (see docs/benchmarks.md).
// Each section of the page is written by a module of bench/report/ from the
// result of the benchmark it is named after; this file only puts them together.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.js';
import { cliStartSection } from './report/cli-start.js';
import { controlPlaneSection } from './report/control-plane.js';
import { docker50Section } from './report/docker-50.js';
import { dockerStopSection } from './report/docker-stop.js';
import { eventLoopSection } from './report/event-loop.js';
import { failoverSection } from './report/failover.js';
import { escape } from './report/format.js';
import { page } from './report/page.js';
import { restartSection } from './report/restart.js';
import { dir, load, type Json } from './report/results.js';
import { scaleSection } from './report/scale.js';
import { simSection } from './report/sim.js';
import { slowClientsSection } from './report/slow-clients.js';
import { startAgainSection } from './report/start-again.js';
import { workerStartSection } from './report/worker-start.js';

/** A section of the page: it adds its rows to the summary table, and answers its text. */
type Section = (result: Json, rows: string[]) => string;

/** The sections in the order of the page, by the name of the result each is written from. */
const sections: [name: string, section: Section][] = [
  ['worker-start', workerStartSection],
  ['control-plane', controlPlaneSection],
  ['docker-50', docker50Section],
  ['restart', restartSection],
  ['slow-clients', slowClientsSection],
  ['cli-start', cliStartSection],
  ['sim', simSection],
  ['failover', failoverSection],
  ['scale', scaleSection],
  ['docker-stop', dockerStopSection],
  ['event-loop', eventLoopSection],
  ['start-again', startAgainSection],
];

function main() {
  const measured = sections.map(([name, section]) => ({ result: load(name), section }));
  const known = new Set(sections.map(([name]) => name));
  const others = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !known.has(f.slice(0, -5)))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Json);

  const rows: string[] = [];
  const texts = measured.filter(({ result }) => result).map(({ result, section }) => section(result, rows));
  for (const r of others) {
    rows.push(`| ${escape(r.name)} | (no description in bench/report.ts) | see ${r.name}.json | | |`);
  }

  const results = [...measured.map(({ result }) => result), ...others].filter(Boolean);
  writeFileSync(join(root, 'docs/benchmarks.md'), page(results, rows, texts));
  console.log(`wrote ${join(root, 'docs/benchmarks.md')} and ${readdirSync(dir).filter((f) => f.endsWith('.svg')).length} chart(s) in ${dir}`);
}

main();
