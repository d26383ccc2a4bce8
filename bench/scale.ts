// Scale: what a manager costs as its work and its history grow (issue 13).
// Everything goes through the public HTTP API of a manager in a process of
// its own, with one worker in that process on the FAKE runtime
// (CUBE_RUNTIME=fake: simulated containers, nothing runs) and SQLite stores,
// as `cube start --runtime fake` keeps them. Every comparison is measured in
// one run, alternating, and reported as medians and a ratio.
//
//   node --import tsx bench/scale.ts [--phases rates,idle,start,paging,retained,floor] [--rounds 3]
//     [--baseline DIR] [--sizes 1000,10000,50000,100000]
//     [--history 50000] [--idle-window 40] [--reconcile SECONDS] [--start-rounds 5]
//     [--pagers 50] [--page 500] [--whole-readers 5] [--quiet-wait 180]
//     [--retained-tasks 10000] [--retained-rounds 4] [--retained-baseline DIR] [--floor-tasks 10000]
//
// - rates:  tasks/s from the first POST /tasks to every task seen Running on
//           GET /events, 64 requests in flight, at 1k, 10k, 50k and 100k
//           tasks, a fresh manager each; heap per live task (V8 heap after a
//           full GC, all Running, minus before). The 10k run alternates with
//           the same run of the checkout at --baseline (default: the
//           worktree of commit a57e813, before issue 13), which has no fake
//           runtime and runs on its MemoryRuntime stand-in instead.
// The other phases run the real `cube start --runtime fake` (this checkout's
// build: npm run build) on an empty data dir and on a copy of one holding
// --history finished tasks, made once through the API (bench/scale-history.ts),
// with CUBE_RETENTION_MAX at 100,000 on both sides so nothing is pruned:
// - idle:   CPU of the manager's process, events on GET /events and write
//           calls over --idle-window seconds, once the syncs after the start
//           have passed (bench/scale-idle.ts). --reconcile sets
//           CUBE_RECONCILE_INTERVAL on both sides (default 15 s).
// - start:  spawn → first answer of GET /tasks (bench/scale-start.ts).
// - paging: GET /tasks?limit=1 latency alone and while --pagers clients page
//           through every task (and --whole-readers read it unpaged)
//           (bench/scale-paging.ts).
// - retained: the heap one manager keeps after rounds of tasks run, stopped
//           and pruned (bench/scale-retained.ts), per task run after the first
//           round; with --retained-baseline, the same on that checkout after.
// - floor:  what XState itself costs each live task, apart from the rest of
//           Cube: heap per actor of a one-state machine and of Cube's task
//           machine as a worker spawns it, and µs per task from spawn to
//           Running (bench/scale-floor.ts).
// Before it starts (and each round), it waits up to --quiet-wait seconds for
// other processes to go quiet, and records how busy they were.
// A phase not run keeps its last result in docs/benchmarks/scale.json, with
// the time and commit it was measured at.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { staleBuild } from '../bin/build-stamp.js';
import { machine, median, othersMeter, root, round, saveResult, source, waitForQuiet } from './lib.js';
import { printSummary, summarise, type CpuProfile } from './profile.js';
import { followEvents, postAll, startServer } from './scale-client.js';
import { floor } from './scale-floor.js';
import { freshDir, makeHistory, removeDir } from './scale-history.js';
import { idle } from './scale-idle.js';
import { paging } from './scale-paging.js';
import { retained } from './scale-retained.js';
import { start } from './scale-start.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}
const list = (text: string) => text.split(',').filter(Boolean);

const phases = new Set(list(option('phases', 'rates,idle,start,paging,retained,floor')));
const baseline = option('baseline', '/work/base-a57e813');
const rounds = Number(option('rounds', '3'));
const sizes = list(option('sizes', '1000,10000,50000,100000')).map(Number);
const quietWaitMs = Number(option('quiet-wait', '180')) * 1000;
const IN_FLIGHT = 64;
const IMAGE = 'strm/helloworld-http';

interface RateRun {
  code: 'this' | 'baseline';
  n: number;
  seconds: number;
  tasksPerSecond: number;
  postMedianMs: number;
  heapPerTaskBytes: number;
  otherCores: number;
}

/** One manager, n tasks POSTed until all are Running. */
async function rate(code: 'this' | 'baseline', n: number, nodeOptions: string[] = []): Promise<RateRun> {
  const dir = freshDir();
  const server = await startServer(code === 'this' ? root : baseline, dir, code === 'this' ? 'fake' : 'memory', {}, nodeOptions);
  try {
    const events = await followEvents(server.url);
    await events.workerUp;
    const heapBefore = await server.heap();
    const bodies = Array.from({ length: n }, (_, i) => JSON.stringify({ Task: { ID: nanoid(), Name: `scale-${i}`, Image: IMAGE } }));
    const others = othersMeter();
    const begin = performance.now();
    const posting = postAll(server.url, bodies, IN_FLIGHT);
    await events.reached(2, n);
    const seconds = (performance.now() - begin) / 1000;
    const latencies = await posting;
    const otherCores = others();
    const heapAfter = await server.heap();
    events.close();
    return {
      code,
      n,
      seconds: round(seconds, 2),
      tasksPerSecond: Math.round(n / seconds),
      postMedianMs: round(median(Array.from(latencies)), 2),
      heapPerTaskBytes: Math.round((heapAfter - heapBefore) / n),
      otherCores,
    };
  } finally {
    await server.close();
    removeDir(dir);
  }
}

const showRate = (r: RateRun) =>
  `  ${r.code.padEnd(8)} ${String(r.n).padStart(6)} tasks: ${r.seconds.toFixed(2)} s → ${r.tasksPerSecond} tasks/s (POST median ${r.postMedianMs} ms; heap ${r.heapPerTaskBytes} B/task; other processes ${r.otherCores} cores)`;

async function rates() {
  console.log(`rates: ${IN_FLIGHT} POSTs in flight; this checkout on the fake runtime, the baseline (${baseline}) on MemoryRuntime`);
  // Warm the disk cache and the tsx cache of both checkouts.
  await rate('this', 2000);
  await rate('baseline', 2000);
  const runs: RateRun[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const n of sizes) {
      const order: ('this' | 'baseline')[] = n === 10_000 ? (r % 2 === 0 ? ['this', 'baseline'] : ['baseline', 'this']) : ['this'];
      for (const code of order) {
        const run = await rate(code, n);
        runs.push(run);
        console.log(showRate(run));
      }
    }
  }
  const medianOf = (code: 'this' | 'baseline', n: number, key: 'tasksPerSecond' | 'heapPerTaskBytes') =>
    Math.round(median(runs.filter((r) => r.code === code && r.n === n).map((r) => r[key])));
  const bySize = sizes.map((n) => ({ n, tasksPerSecond: medianOf('this', n, 'tasksPerSecond'), heapPerTaskBytes: medianOf('this', n, 'heapPerTaskBytes') }));
  const at = (n: number) => bySize.find((s) => s.n === n);
  const baseline10k = medianOf('baseline', 10_000, 'tasksPerSecond');
  const largest = bySize.at(-1)!;
  const flat = round(largest.tasksPerSecond / at(10_000)!.tasksPerSecond, 3);
  const faster = round(at(10_000)!.tasksPerSecond / baseline10k, 3);
  if (process.argv.includes('--profile')) {
    // An extra run, not counted: the profiler slows what it watches.
    const dir = freshDir();
    await rate('this', 10_000, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    printSummary(summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, Number(option('profile-top', '25')), 10_000));
    console.log(`profile: ${join(dir, file)}`);
  }
  const heapPerTask = Math.max(...bySize.map((s) => s.heapPerTaskBytes));
  console.log(
    `rate(${largest.n})/rate(10k) = ${flat} (target ≥ 0.8); rate(10k) this/baseline = ${faster} (target ≥ 2); heap per live task ≤ ${heapPerTask} B (target ≤ 4096)`,
  );
  return {
    at: new Date().toISOString(),
    rounds,
    inFlight: IN_FLIGHT,
    baseline,
    bySize,
    baseline10k,
    flat,
    faster,
    heapPerTask,
    met: { flat: flat >= 0.8, faster: faster >= 2, heap: heapPerTask <= 4096 },
    runs,
  };
}

const PHASES = ['rates', 'idle', 'start', 'paging', 'retained', 'floor'] as const;
/** The phases that run on the history (bench/scale-history.ts). */
const HISTORY_PHASES = ['idle', 'start', 'paging'];

/** The phases of the last result that this run does not measure, each with the time and commit it was measured at. */
function keptPhases(): Record<string, unknown> {
  const file = join(root, 'docs/benchmarks/scale.json');
  if (!existsSync(file)) return {};
  const last = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  const kept: Record<string, unknown> = {};
  const madeHistory = HISTORY_PHASES.some((phase) => phases.has(phase));
  for (const phase of [...PHASES, ...(madeHistory ? [] : ['history'])]) {
    if (phases.has(phase) || !last[phase]) continue;
    kept[phase] = { at: last['at'], source: last['source'], machineAtStart: last['machineAtStart'], rounds: last['rounds'], ...last[phase] };
  }
  return kept;
}

/** The idle, start and paging phases, on one history made for them. */
async function historyPhases(result: Record<string, unknown>) {
  const stale = staleBuild(root);
  if (stale) throw new Error(`${stale}: run npm run build first (these phases run cube start from the build)`);
  const n = Number(option('history', '50000'));
  const reconcile = process.argv.includes('--reconcile') ? Number(option('reconcile', '15')) : undefined;
  const env: Record<string, string> = { CUBE_LOG: '0', ...(reconcile === undefined ? {} : { CUBE_RECONCILE_INTERVAL: `${reconcile}s` }) };
  const windowMs = Number(option('idle-window', '40')) * 1000;
  const reconcileMs = (reconcile ?? 15) * 1000;
  if (windowMs < 2 * reconcileMs) throw new Error(`--idle-window must cover two syncs (${(2 * reconcileMs) / 1000} s or more)`);
  console.log(`history: ${n} tasks POSTed, Running, DELETEd and Completed through cube start --runtime fake (the FAKE runtime)`);
  const history = await makeHistory(n, env);
  console.log(`history: ${n} Completed tasks in ${round(history.seconds, 1)} s`);
  result['history'] = { n, seconds: round(history.seconds, 1), source: source() };
  try {
    const base = { history: history.dir, n, env, quietWaitMs: Math.min(quietWaitMs, 30_000) };
    if (phases.has('idle')) result['idle'] = await idle({ ...base, rounds, windowMs, settleMs: reconcileMs + 5000 });
    if (phases.has('start')) result['start'] = await start({ ...base, rounds: Number(option('start-rounds', '5')) });
    if (phases.has('paging')) {
      result['paging'] = await paging({
        ...base,
        rounds,
        pagers: Number(option('pagers', '50')),
        pageSize: Number(option('page', '500')),
        wholeReaders: Number(option('whole-readers', '5')),
        idleProbeMs: 10_000,
      });
    }
  } finally {
    removeDir(history.dir);
  }
}

async function main() {
  const unknown = [...phases].filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--phases: unknown ${unknown.join(', ')}; expected some of ${PHASES.join(', ')}`);
  console.log(`scale benchmark; node ${process.version}; ${machine().cpus} cores; phases ${[...phases].join(', ')}`);
  const quiet = await waitForQuiet(0.25, quietWaitMs);
  console.log(quiet);
  const result: Record<string, unknown> = { machineAtStart: quiet, rounds, ...keptPhases() };
  if (phases.has('rates')) result['rates'] = await rates();
  if (HISTORY_PHASES.some((phase) => phases.has(phase))) await historyPhases(result);
  if (phases.has('retained')) {
    result['retained'] = await retained({
      root,
      baseline: option('retained-baseline', '') || undefined,
      n: Number(option('retained-tasks', '10000')),
      rounds: Number(option('retained-rounds', '4')),
    });
  }
  if (phases.has('floor')) result['floor'] = await floor(Number(option('floor-tasks', '10000')), rounds);
  console.log(`saved ${saveResult('scale', result)}`);
}

await main();
