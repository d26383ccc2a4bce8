// npm run sim -- --seed N            replay one seed: its trace, its violations, and a shrunk schedule if it fails
// npm run sim -- --seed N --keep 3,7 replay only those entries of the seed's schedule (what shrinking prints)
// npm run sim -- --found N           replay the recorded schedule of a bug found by seed N (test/sim/found.ts)
// npm run sim -- --seeds N [--from K] run N seeds on every core; report failures, seeds/s, cluster-hours per minute
// Options: --without kind,kind (leave fault kinds or user calls out), --mistake NAME (run with a mistake
// swapped in), --services (the user also makes services: create, scale, update, delete), --placement
// (workers have labels and offer 4 GiB, tasks have constraints, memory asks and named volumes), --threads N,
// --no-shrink, --verbose (every line, the processes' logs too).
import { parseArgs } from 'node:util';
import { found, foundBySeed, foundScenario } from './found.js';
import { mistakeByName, mistakes, placementMistakes, serviceMistakes } from './mistakes.js';
import { runSeeds } from './pool.js';
import { describeEvent, drawScenario, faultWeights } from './schedule.js';
import { shrink, subset } from './shrink.js';
import { simulate, type RunResult } from './simulation.js';
import { formatLine, type TraceLine } from './trace.js';

const usage = `usage: npm run sim -- --seed N [--keep i,j,…] | --found N | --seeds N [--from K]
  options: --without KIND,… (fault kinds: ${Object.keys(faultWeights).join(', ')}; calls: changed-spec, delete, repost)
           --mistake NAME (${[...mistakes, ...serviceMistakes, ...placementMistakes].map((m) => m.name).join(', ')}), --services, --placement, --threads N, --no-shrink, --verbose`;

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n${usage}\n`);
  process.exit(2);
}

const count = (text: string | undefined, flag: string, min: number): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) fail(`${flag} expects a whole number ≥ ${min}, got ${JSON.stringify(text)}`);
  return Number(text);
};

let parsed;
try {
  parsed = parseArgs({
    options: {
      seed: { type: 'string' },
      found: { type: 'string' },
      seeds: { type: 'string' },
      from: { type: 'string' },
      keep: { type: 'string' },
      without: { type: 'string' },
      mistake: { type: 'string' },
      threads: { type: 'string' },
      services: { type: 'boolean' },
      placement: { type: 'boolean' },
      'no-shrink': { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (parsed.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const without = (parsed.without ?? '').split(',').filter(Boolean);
const known = new Set([...Object.keys(faultWeights), 'changed-spec', 'delete', 'repost']);
for (const kind of without) if (!known.has(kind)) fail(`--without: ${JSON.stringify(kind)} is not a fault kind or call`);
const mistake =
  parsed.mistake === undefined ? undefined : (mistakeByName(parsed.mistake) ?? fail(`--mistake: no mistake named ${JSON.stringify(parsed.mistake)}`));
const seed = count(parsed.seed, '--seed', 0);
const seeds = count(parsed.seeds, '--seeds', 1);
const foundSeed = count(parsed.found, '--found', 0);
if ([seed, seeds, foundSeed].filter((v) => v !== undefined).length !== 1) fail('give one of --seed N, --found N or --seeds N');

const shown = (line: TraceLine) => parsed.verbose || !line.text.startsWith('log: ');
const services = parsed.services ?? false;
const placement = parsed.placement ?? false;
const flags = `${without.length ? ` --without ${without.join(',')}` : ''}${mistake ? ` --mistake ${mistake.name}` : ''}${services ? ' --services' : ''}${placement ? ' --placement' : ''}`;

function report(result: RunResult): void {
  for (const v of result.violations) process.stdout.write(`  ✗ ${v.invariant}: ${v.detail}\n`);
}

if (foundSeed !== undefined) {
  const bug =
    foundBySeed(foundSeed, services) ?? fail(`--found: no bug found by seed ${foundSeed} in test/sim/found.ts (${found.map((f) => f.seed).join(', ')})`);
  const result = await simulate(foundScenario(bug), { mistake });
  process.stdout.write(`${result.trace.filter(shown).map(formatLine).join('\n')}\n\n`);
  process.stdout.write(`found seed ${foundSeed} (${bug.invariant}, ${bug.open ? 'open' : 'fixed'}): ${bug.what}\n`);
  if (result.ok) process.stdout.write('every invariant held\n');
  else report(result);
  process.exit(result.ok ? 0 : 1);
}

if (seed !== undefined) {
  const scenario = drawScenario(seed, new Set(without), { services, placement });
  const keep = parsed.keep?.split(',').map((i) => count(i, '--keep', 0)!);
  const played = keep ? subset(scenario, keep) : scenario;
  const result = await simulate(played, { mistake });
  process.stdout.write(`${result.trace.filter(shown).map(formatLine).join('\n')}\n\n`);
  if (result.ok) {
    process.stdout.write(`seed ${seed}: every invariant held (${(result.simulatedMs / 1000).toFixed(0)} s simulated, ${result.steps} steps)\n`);
    process.exit(0);
  }
  process.stdout.write(`seed ${seed}: ${result.violations.length} violation(s)\n`);
  report(result);
  if (!parsed['no-shrink'] && !keep) {
    const first = result.violations[0]!.invariant;
    process.stdout.write(`\nshrinking the schedule (${scenario.events.length} entries) to the fewest that still break ${first}…\n`);
    const shrunk = await shrink(scenario, first, mistake);
    process.stdout.write(`\n${shrunk.keep.length} entr${shrunk.keep.length === 1 ? 'y' : 'ies'} left after ${shrunk.runs} runs:\n`);
    for (const i of shrunk.keep)
      process.stdout.write(`  [${i}] at ${(scenario.events[i]!.at / 1000).toFixed(3)} s: ${describeEvent(scenario.events[i]!, scenario)}\n`);
    const notable = (line: TraceLine) => line.actor !== 'CHECK' || line.text.includes(first);
    process.stdout.write(
      `\nshrunk trace:\n${shrunk.result.trace
        .filter((l) => shown(l) && notable(l))
        .map(formatLine)
        .join('\n')}\n`,
    );
    process.stdout.write(`\nreplay: npm run sim -- --seed ${seed} --keep ${shrunk.keep.join(',') || '""'}${flags}\n`);
  }
  process.exit(1);
}

const from = count(parsed.from, '--from', 0) ?? 1;
const total = seeds!;
let lastShown = 0;
const result = await runSeeds({
  seeds: Array.from({ length: total }, (_, i) => from + i),
  threads: count(parsed.threads, '--threads', 1),
  without,
  mistake: mistake?.name,
  services,
  placement,
  onSeed: (summary, done) => {
    if (!summary.ok) process.stdout.write(`seed ${summary.seed}: ✗ ${summary.invariant}: ${summary.detail}\n`);
    if (done === total || done - lastShown >= Math.max(100, total / 20)) {
      lastShown = done;
      process.stderr.write(`${done}/${total} seeds\n`);
    }
  },
});
const minutes = result.wallMs / 60_000;
const clusterHours = result.clusterMs / 3_600_000;
process.stdout.write(
  `\n${result.summaries.length} seeds (${from}…${from + total - 1}) in ${(result.wallMs / 1000).toFixed(1)} s: ` +
    `${(result.summaries.length / (result.wallMs / 1000)).toFixed(1)} seeds/s, ${(clusterHours / minutes).toFixed(1)} simulated cluster-hours per minute; ` +
    `${result.failures.length} failed\n`,
);
const byInvariant = new Map<string, number[]>();
for (const f of result.failures) byInvariant.set(f.invariant!, [...(byInvariant.get(f.invariant!) ?? []), f.seed]);
for (const [invariant, failed] of byInvariant) {
  process.stdout.write(
    `  ${invariant}: ${failed.length} seed(s), e.g. ${failed.slice(0, 5).join(', ')} (replay: npm run sim -- --seed ${failed[0]}${flags})\n`,
  );
}
process.exit(result.failures.length === 0 ? 0 : 1);
