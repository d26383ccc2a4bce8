// The retained phase of bench/scale.ts: what a manager keeps of the tasks it
// has run once they are gone. One manager with its worker on the FAKE runtime
// (bench/scale-server.ts), CUBE_RETENTION_MAX=0 so a sweep prunes every
// finished task; each round POSTs n tasks, waits until all are Running,
// DELETEs them, waits until all are Completed, asks for a sweep (POST /gc) and
// reads the V8 heap after a full GC. Issue 13's headline is a cost that grows
// with the work, not with history: from the first round to the last, the heap
// per task run since should be about nothing (bounded buffers, such as the
// worker's last 4,096 changes, fill in the first round).
import { round, source } from './lib.js';
import { followEvents, startServer } from './scale-client.js';
import { freshDir, removeDir, runAndStop } from './scale-history.js';

export interface RetainedOptions {
  root: string;
  /** Another checkout to measure the same way after this one (bench/scale.ts --retained-baseline), or undefined. */
  baseline: string | undefined;
  n: number;
  rounds: number;
}

export async function retained(options: RetainedOptions) {
  const { n, rounds } = options;
  const mine = await keptBy(options.root, n, rounds);
  const baseline =
    options.baseline === undefined
      ? undefined
      : { root: options.baseline, commit: source(options.baseline).commit, ...(await keptBy(options.baseline, n, rounds)) };
  return { at: new Date().toISOString(), n, rounds, ...mine, ...(baseline ? { baseline } : {}) };
}

/** The rounds on the checkout at `root`. */
async function keptBy(root: string, n: number, rounds: number) {
  console.log(`retained (${root}): ${rounds} rounds of ${n} tasks run, stopped and pruned (CUBE_RETENTION_MAX=0) on one manager`);
  const dir = freshDir();
  const server = await startServer(root, dir, 'fake', { retentionMax: 0 });
  const heaps: number[] = [];
  const start = await server.heap();
  try {
    for (let r = 0; r < rounds; r++) {
      const events = await followEvents(server.url);
      await events.workerUp;
      try {
        await runAndStop(server.url, events, n, `retained-${r}`);
      } finally {
        events.close();
      }
      const gc = await fetch(`${server.url}/gc`, { method: 'POST' });
      if (gc.status !== 200) throw new Error(`POST /gc answered ${gc.status}: ${await gc.text()}`);
      const left = (await (await fetch(`${server.url}/tasks`)).json()) as unknown[];
      if (left.length !== 0) throw new Error(`${left.length} tasks are still listed after the sweep of round ${r + 1}`);
      heaps.push(await server.heap());
      console.log(`  after ${(r + 1) * n} tasks run and pruned: heap ${round((heaps.at(-1)! - start) / 2 ** 20, 1)} MB over the start`);
    }
  } finally {
    await server.close();
    removeDir(dir);
  }
  const perTask = Math.round((heaps.at(-1)! - heaps[0]!) / ((rounds - 1) * n));
  console.log(`retained: ${perTask} B of heap per task run after the first ${n} (rounds 2 to ${rounds})`);
  return { heapMB: heaps.map((h) => round((h - start) / 2 ** 20, 1)), bytesPerTaskRun: perTask };
}
