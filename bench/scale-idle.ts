// The idle phase of bench/scale.ts: what a manager does when nobody asks it
// anything, with an empty data dir and with N finished tasks in it. Each run
// starts `cube start --runtime fake` on its dir, lets the syncs that follow a
// start pass, then counts over a fixed window the CPU time of its process (the
// manager and its worker), the events GET /events sends and the write calls it
// makes. Issue 13: the idle cost with 50k finished tasks equals that of an
// empty one, within noise.
import { setTimeout as sleep } from 'node:timers/promises';
import { median, othersMeter, round, waitForQuiet } from './lib.js';
import { countTasks, cpuMs, followEvents, writeCalls } from './scale-client.js';
import { removeDir, roundDir, runCube } from './scale-history.js';

export type Kind = 'empty' | 'history';

export interface IdleOptions {
  /** A data dir holding `n` finished tasks (bench/scale-history.ts). */
  history: string;
  n: number;
  rounds: number;
  windowMs: number;
  /** How long after a start the first syncs may take before the window opens. */
  settleMs: number;
  env: Record<string, string>;
  /** How long to wait for other processes to go quiet before a round. */
  quietWaitMs: number;
}

interface IdleRun {
  kind: Kind;
  tasks: number;
  cores: number;
  events: number;
  writeCalls: number;
  otherCores: number;
}

async function idleRun(kind: Kind, options: IdleOptions): Promise<IdleRun> {
  const dir = roundDir(kind === 'history' ? options.history : undefined);
  const cube = await runCube(dir, options.env);
  try {
    // The live snapshot: the finished tasks are not sent again on connecting, which is not idle work either way.
    const events = await followEvents(cube.url, '?snapshot=live');
    await events.workerUp;
    await sleep(options.settleMs);
    const others = othersMeter();
    const [cpu0, writes0, events0, begin] = [cpuMs(cube.pid), writeCalls(cube.pid), events.events, performance.now()];
    await sleep(options.windowMs);
    const [cpu1, writes1, events1, wall] = [cpuMs(cube.pid), writeCalls(cube.pid), events.events, performance.now() - begin];
    const otherCores = others();
    events.close();
    // The history must still all be there: a pruned one would measure nothing.
    const held = await countTasks(cube.url);
    const expected = kind === 'history' ? options.n : 0;
    if (held.total !== expected) throw new Error(`the ${kind} manager holds ${held.total} tasks, expected ${expected}: ${JSON.stringify(held.byState)}`);
    return { kind, tasks: held.total, cores: round((cpu1 - cpu0) / wall, 4), events: events1 - events0, writeCalls: writes1 - writes0, otherCores };
  } finally {
    await cube.stop();
    removeDir(dir);
  }
}

/** Within noise: the medians differ by no more than the spread of the empty dir's own runs, or `floor`, whichever is larger. */
function withinNoise(empty: number[], history: number[], floor: number) {
  const difference = median(history) - median(empty);
  const noise = Math.max(Math.max(...empty) - Math.min(...empty), floor);
  return { empty: median(empty), history: median(history), difference: round(difference, 4), noise: round(noise, 4), met: difference <= noise };
}

/** Smallest differences counted as noise: half a percent of a core (the scheduler's and the GC's jitter), and two events (one heartbeat in or out of the window). */
const CPU_FLOOR = 0.005;
const EVENTS_FLOOR = 2;

export async function idle(options: IdleOptions) {
  const seconds = options.windowMs / 1000;
  console.log(
    `idle: ${options.rounds} rounds, empty and ${options.n} finished tasks alternating; ${options.settleMs / 1000} s to settle, then ${seconds} s counted`,
  );
  const runs: IdleRun[] = [];
  for (let r = 0; r < options.rounds; r++) {
    console.log(`  ${await waitForQuiet(0.25, options.quietWaitMs)}`);
    for (const kind of (r % 2 === 0 ? ['empty', 'history'] : ['history', 'empty']) as Kind[]) {
      const run = await idleRun(kind, options);
      runs.push(run);
      console.log(
        `  ${kind.padEnd(7)} ${String(run.tasks).padStart(6)} tasks: ${run.cores} cores, ${run.events} events, ${run.writeCalls} write calls in ${seconds} s (other processes ${run.otherCores} cores)`,
      );
    }
  }
  const of = (kind: Kind, key: 'cores' | 'events' | 'writeCalls') => runs.filter((r) => r.kind === kind).map((r) => r[key]);
  const cpu = withinNoise(of('empty', 'cores'), of('history', 'cores'), CPU_FLOOR);
  const events = withinNoise(of('empty', 'events'), of('history', 'events'), EVENTS_FLOOR);
  const writes = { empty: median(of('empty', 'writeCalls')), history: median(of('history', 'writeCalls')) };
  console.log(
    `idle with ${options.n} finished / empty: ${cpu.history} / ${cpu.empty} cores (within noise ${cpu.noise}: ${cpu.met}); ` +
      `${events.history} / ${events.empty} events in ${seconds} s (within noise ${events.noise}: ${events.met}); ${writes.history} / ${writes.empty} write calls`,
  );
  return {
    at: new Date().toISOString(),
    n: options.n,
    rounds: options.rounds,
    windowSeconds: seconds,
    settleSeconds: options.settleMs / 1000,
    env: options.env,
    floors: { cores: CPU_FLOOR, events: EVENTS_FLOOR },
    cpu,
    events,
    writes,
    met: { cpu: cpu.met, events: events.met },
    runs,
  };
}
