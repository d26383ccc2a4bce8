// Runs many seeds on every core: one worker thread per core, each with its
// own globals (so its own fake clock), seeds dealt round-robin. Used by the
// CLI's --seeds, the test and the benchmark.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PoolJob, SeedSummary } from './pool-worker.js';

export interface PoolOptions {
  seeds: number[];
  threads?: number;
  without?: string[];
  mistake?: string;
  /** Draw the seeds' scenarios with services (schedule.ts). */
  services?: boolean;
  /** Draw them with labels, constraints and memory asks (schedule.ts). */
  placement?: boolean;
  /** The seeds name bugs of found.ts (with `services` or without): each replays its recorded schedule. */
  found?: boolean;
  /** Stop each seed at its first violation (faster; the summary has that one). */
  failFast?: boolean;
  /** Stop every thread once this many seeds failed (the summaries then hold the seeds run so far). */
  stopAfter?: number;
  onSeed?: (summary: SeedSummary, done: number) => void;
  /** Wall time a seed may take before it counts as one that never ends (SEED_LIMIT_MS). */
  seedLimitMs?: number;
}

export interface PoolResult {
  summaries: SeedSummary[];
  failures: SeedSummary[];
  wallMs: number;
  /** Simulated time, summed over the seeds: how much life of a whole cluster was simulated. */
  clusterMs: number;
}

// A thread does not inherit tsx's loader: it registers it, then loads the TypeScript entry.
const BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./pool-worker.ts', import.meta.url).href)}); })`;

/**
 * A seed that runs longer than this on the wall clock is taken as one that never ends (a loop that
 * schedules itself at the same simulated instant, say): its thread is ended and the seed counted as
 * failed, with invariant `seed-ends`, so a sweep names it instead of stalling. A seed takes well
 * under a second alone; this leaves room for a machine busy with other work.
 */
const SEED_LIMIT_MS = 180_000;

export async function runSeeds(options: PoolOptions): Promise<PoolResult> {
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), options.seeds.length));
  const limitMs = options.seedLimitMs ?? SEED_LIMIT_MS;
  const started = performance.now();
  const summaries: SeedSummary[] = [];
  const workers = new Set<Worker>();
  if (options.seeds.length === 0) return { summaries, failures: [], wallMs: 0, clusterMs: 0 };
  let stopped = false;
  let failed = 0;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const took = (summary: SeedSummary) => {
      summaries.push(summary);
      if (!summary.ok) failed++;
      options.onSeed?.(summary, summaries.length);
      if (options.stopAfter !== undefined && failed >= options.stopAfter) {
        stopped = true;
        for (const w of workers) void w.terminate();
      }
    };
    /** Runs `seeds` on a new thread; one that outlives its limit is replaced by a thread for the seeds after it. */
    const thread = (seeds: number[]) => {
      const job: PoolJob = {
        seeds,
        without: options.without ?? [],
        mistake: options.mistake,
        services: options.services ?? false,
        placement: options.placement ?? false,
        failFast: options.failFast ?? true,
        found: options.found ?? false,
      };
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData: job });
      workers.add(worker);
      running++;
      let done = 0;
      let rest: number[] = [];
      const watch = () =>
        setTimeout(() => {
          const seed = seeds[done]!;
          took({
            seed,
            ok: false,
            invariant: 'seed-ends',
            detail: `seed ${seed} ran for ${limitMs / 1000} s of wall time without ending`,
            simulatedMs: 0,
            workers: 0,
            steps: 0,
          });
          rest = seeds.slice(done + 1);
          void worker.terminate();
        }, limitMs);
      let watchdog = watch();
      worker.on('message', (summary: SeedSummary) => {
        clearTimeout(watchdog);
        done++;
        took(summary);
        if (done < seeds.length) watchdog = watch();
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        clearTimeout(watchdog);
        workers.delete(worker);
        if (rest.length > 0 && !stopped) thread(rest);
        if (--running === 0) resolve();
      });
    };
    for (let t = 0; t < threads; t++) thread(options.seeds.filter((_, i) => i % threads === t));
  });
  summaries.sort((a, b) => a.seed - b.seed);
  return {
    summaries,
    failures: summaries.filter((s) => !s.ok),
    wallMs: performance.now() - started,
    clusterMs: summaries.reduce((sum, s) => sum + s.simulatedMs, 0),
  };
}
