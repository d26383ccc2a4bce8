// The start phase of bench/scale.ts: how long `cube start --runtime fake`
// takes from its spawn to its first answer of GET /tasks (a one-task page:
// the manager has read its store and serves), with an empty data dir and with
// N finished tasks in it, alternating. Issue 13: within 1.5× the empty one.
import { median, othersMeter, round, waitForQuiet } from './lib.js';
import { countTasks, rssBytes, timedGet } from './scale-client.js';
import { removeDir, roundDir, runCube } from './scale-history.js';
import type { Kind } from './scale-idle.js';

export interface StartOptions {
  history: string;
  n: number;
  rounds: number;
  env: Record<string, string>;
  /** How long to wait for other processes to go quiet before a round. */
  quietWaitMs: number;
}

interface StartRun {
  kind: Kind;
  listenMs: number;
  answerMs: number;
  rssMB: number;
  otherCores: number;
}

export const START_TARGET = 1.5;

async function startRun(kind: Kind, options: StartOptions, check: boolean): Promise<StartRun> {
  const dir = roundDir(kind === 'history' ? options.history : undefined);
  const others = othersMeter();
  const cube = await runCube(dir, options.env);
  try {
    const first = await timedGet(`${cube.url}/tasks?limit=1`);
    const answerMs = performance.now() - cube.spawnedAt;
    if (first.status !== 200) throw new Error(`the first GET /tasks of the ${kind} manager answered ${first.status}`);
    const rssMB = round(rssBytes(cube.pid) / 2 ** 20, 0);
    const otherCores = others();
    if (check) {
      const held = await countTasks(cube.url);
      const expected = kind === 'history' ? options.n : 0;
      if (held.total !== expected) throw new Error(`the ${kind} manager holds ${held.total} tasks after its start, expected ${expected}`);
    }
    return { kind, listenMs: round(cube.listenMs, 0), answerMs: round(answerMs, 0), rssMB, otherCores };
  } finally {
    await cube.stop();
    removeDir(dir);
  }
}

export async function start(options: StartOptions) {
  console.log(`start: ${options.rounds} rounds, empty and ${options.n} finished tasks alternating (one start of each first, not counted)`);
  console.log(`  ${await waitForQuiet(0.25, options.quietWaitMs)}`);
  // The first of each warms the disk cache and proves the history is restored whole.
  await startRun('empty', options, true);
  await startRun('history', options, true);
  const runs: StartRun[] = [];
  for (let r = 0; r < options.rounds; r++) {
    for (const kind of (r % 2 === 0 ? ['empty', 'history'] : ['history', 'empty']) as Kind[]) {
      const run = await startRun(kind, options, false);
      runs.push(run);
      console.log(
        `  ${kind.padEnd(7)}: listening after ${run.listenMs} ms, first answer after ${run.answerMs} ms; RSS ${run.rssMB} MB (other processes ${run.otherCores} cores)`,
      );
    }
  }
  const of = (kind: Kind, key: 'answerMs' | 'listenMs' | 'rssMB') => median(runs.filter((r) => r.kind === kind).map((r) => r[key]));
  const ratio = round(of('history', 'answerMs') / of('empty', 'answerMs'), 3);
  console.log(`start with ${options.n} finished / empty: ${of('history', 'answerMs')} / ${of('empty', 'answerMs')} ms = ${ratio} (target ≤ ${START_TARGET})`);
  return {
    at: new Date().toISOString(),
    n: options.n,
    rounds: options.rounds,
    env: options.env,
    emptyMs: of('empty', 'answerMs'),
    historyMs: of('history', 'answerMs'),
    emptyRssMB: of('empty', 'rssMB'),
    historyRssMB: of('history', 'rssMB'),
    ratio,
    target: START_TARGET,
    met: ratio <= START_TARGET,
    runs,
  };
}
