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
  /** Stop each seed at its first violation (faster; the summary has that one). */
  failFast?: boolean;
  /** Stop every thread once this many seeds failed (the summaries then hold the seeds run so far). */
  stopAfter?: number;
  onSeed?: (summary: SeedSummary, done: number) => void;
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

export async function runSeeds(options: PoolOptions): Promise<PoolResult> {
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), options.seeds.length));
  const started = performance.now();
  const summaries: SeedSummary[] = [];
  const workers: Worker[] = [];
  if (options.seeds.length === 0) return { summaries, failures: [], wallMs: 0, clusterMs: 0 };
  await new Promise<void>((resolve, reject) => {
    let running = threads;
    for (let t = 0; t < threads; t++) {
      const seeds = options.seeds.filter((_, i) => i % threads === t);
      const job: PoolJob = {
        seeds,
        without: options.without ?? [],
        mistake: options.mistake,
        services: options.services ?? false,
        placement: options.placement ?? false,
        failFast: options.failFast ?? true,
      };
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData: job });
      workers.push(worker);
      worker.on('message', (summary: SeedSummary) => {
        summaries.push(summary);
        options.onSeed?.(summary, summaries.length);
        const failed = summaries.filter((s) => !s.ok).length;
        if (options.stopAfter !== undefined && failed >= options.stopAfter) for (const w of workers) void w.terminate();
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        if (--running === 0) resolve();
      });
    }
  });
  summaries.sort((a, b) => a.seed - b.seed);
  return {
    summaries,
    failures: summaries.filter((s) => !s.ok),
    wallMs: performance.now() - started,
    clusterMs: summaries.reduce((sum, s) => sum + s.simulatedMs, 0),
  };
}
