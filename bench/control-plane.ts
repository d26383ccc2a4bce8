// Control plane with an in-memory runtime: how many tasks a second one manager
// takes from POST /tasks to Running (State 2), when starting a container costs
// nothing. The worker runs in the manager's process on MemoryRuntime, an
// in-memory stand-in that RUNS NO CONTAINERS: this measures Cube's own HTTP
// edge, actors and event stream, never Docker.
//
//   node --import tsx bench/control-plane.ts [--concurrency 64] [--sizes 1000,10000] [--sweep 1,8,32,64,128,256] [--sweep-n 2000]
//
// The clock runs from the first POST to the moment the manager's GET /events
// stream has shown every task with State 2 (counted per id from `task.updated`;
// nothing is polled). Each size gets a fresh manager. The client (the POSTs
// and the event stream reader) runs in a worker thread, as a client would in
// another process: the manager's thread does only the manager's work, and the
// event-loop utilisation of each thread says which one was the limit.
//
// Before the measured runs, an unmeasured warm-up run lets V8 compile the hot
// paths, so the first measured size is not penalised by a cold JIT (which
// would flatter the ratio between sizes). --sweep first measures the rate at
// several numbers of requests in flight, on --sweep-n tasks each.
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { nanoid } from 'nanoid';
import { readSettings } from '../src/config/settings.js';
import { readEvents } from '../src/http/sse-client.js';
import { silentLog } from '../src/log.js';
import { startManager } from '../src/manager/start.js';
import { MemoryRuntime } from '../src/runtime/memory.js';
import { DISTURBED_CORES, measureQuietly, median, othersMeter, round, saveResult, waitForQuiet } from './lib.js';
import { printSummary, saveProfile, startProfile, summarise, type CpuProfile } from './profile.js';

const RUNTIME = 'MemoryRuntime (in-memory stand-in: runs no containers)';
const IMAGE = 'strm/helloworld-http';

interface ClientJob {
  url: string;
  n: number;
  concurrency: number;
}

interface ClientResult {
  n: number;
  concurrency: number;
  /** First POST → every task seen with State 2 on GET /events. */
  totalMs: number;
  /** First POST → the last POST answered 201. */
  postsMs: number;
  postLatencyMs: { median: number; p99: number };
  /** task.updated events read from the stream during the run. */
  updates: number;
  /** Share of the client thread's time it was busy. */
  clientBusy: number;
}

// ---- the client (a worker thread) ------------------------------------------------

async function client(job: ClientJob): Promise<ClientResult> {
  const { url, n, concurrency } = job;
  const ids = Array.from({ length: n }, () => nanoid());
  const bodies = ids.map((id, i) => JSON.stringify({ Task: { ID: id, Name: `bench-${i}`, Image: IMAGE } }));

  // Follow the manager's events before anything is sent.
  const abort = new AbortController();
  const response = await fetch(`${url}/events`, { signal: abort.signal });
  const running = new Set<string>();
  let updates = 0;
  let begin = 0;
  let allRunning: () => void = () => undefined;
  const done = new Promise<number>((resolve) => (allRunning = () => resolve(performance.now())));
  let up: () => void = () => undefined;
  const workerUp = new Promise<void>((resolve) => (up = resolve));
  const reading = (async () => {
    try {
      for await (const { type, data } of readEvents(response.body!)) {
        if (type === 'snapshot' && data.nodes.some((node: { State: string }) => node.State === 'up')) up();
        else if (type === 'node.updated' && data.node.State === 'up') up();
        else if (type === 'task.updated') {
          updates++;
          if (data.task.State === 2 && !running.has(data.task.ID)) {
            running.add(data.task.ID);
            if (running.size === n) allRunning();
          }
        }
      }
    } catch {
      // aborted: the run is over
    }
  })();
  await workerUp;

  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = new Float64Array(n);
  const post = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const sent = performance.now();
      const req = request(
        `${url}/tasks`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(bodies[i]!) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            latencies[i] = performance.now() - sent;
            if (res.statusCode !== 201) reject(new Error(`POST /tasks answered ${res.statusCode}: ${text}`));
            else resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(bodies[i]);
    });

  const elu0 = performance.eventLoopUtilization();
  begin = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await post(next++);
    }),
  );
  const postsDone = performance.now();
  const end = await done;
  const elu = performance.eventLoopUtilization(elu0);
  abort.abort();
  agent.destroy();
  await reading;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return {
    n,
    concurrency,
    totalMs: end - begin,
    postsMs: postsDone - begin,
    postLatencyMs: { median: round(median(sorted), 2), p99: round(sorted[Math.floor(0.99 * (n - 1))]!, 2) },
    updates,
    clientBusy: round(elu.utilization, 3),
  };
}

if (!isMainThread) {
  parentPort!.on('message', (job: ClientJob) => {
    client(job).then(
      (result) => parentPort!.postMessage({ result }),
      (error: Error) => parentPort!.postMessage({ error: error.stack ?? error.message }),
    );
  });
}

// ---- the manager (main thread) ----------------------------------------------------

interface Run extends ClientResult {
  tasksPerSecond: number;
  /** Share of the manager thread's time it was busy, first POST → all Running (approximately: client-side window). */
  managerBusy: number;
  /** Cores kept busy by other processes during the run (other work sharing the machine). */
  otherCores: number;
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}
const numbers = (text: string) => text.split(',').filter(Boolean).map(Number);

async function main() {
  const concurrency = Number(option('concurrency', '64'));
  const sizes = numbers(option('sizes', '1000,10000'));
  const sweepLevels = numbers(option('sweep', ''));
  const sweepN = Number(option('sweep-n', '2000'));
  const rounds = Number(option('rounds', '3'));
  const profiling = process.argv.includes('--profile');
  const warmup = numbers(option('warmup', '1000,2000,2000,2000'));
  // tsx's hooks do not reach worker threads by themselves: the thread registers them, then loads this file.
  const tsx = import.meta.resolve('tsx/esm/api');
  const thread = new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`, {
    eval: true,
  });
  const ask = (job: ClientJob) =>
    new Promise<ClientResult>((resolve, reject) => {
      thread.once('message', (reply: { result?: ClientResult; error?: string }) => (reply.result ? resolve(reply.result) : reject(new Error(reply.error))));
      thread.postMessage(job);
    });

  let lastProfile: CpuProfile | undefined;
  async function measure(n: number, level: number, profile = false): Promise<Run> {
    const runtime = new MemoryRuntime();
    const manager = await startManager({
      port: 0,
      local: [{ port: null, name: 'bench', runtime }],
      settings: { ...readSettings({}, {}), store: 'memory' },
      log: silentLog,
    });
    try {
      const stopProfile = profile ? await startProfile() : undefined;
      const elu0 = performance.eventLoopUtilization();
      const others = othersMeter();
      const result = await ask({ url: manager.url, n, concurrency: level });
      const elu = performance.eventLoopUtilization(elu0);
      const otherCores = others();
      if (stopProfile) lastProfile = await stopProfile();
      const running = manager.service.liveTasks().filter((t) => t.State === 2).length;
      if (running !== n) throw new Error(`the stream showed ${n} Running, but the manager's ledger has ${running}`);
      if (runtime.containers.size !== n) throw new Error(`MemoryRuntime holds ${runtime.containers.size} containers, expected ${n}`);
      return { ...result, tasksPerSecond: Math.round(n / (result.totalMs / 1000)), managerBusy: round(elu.utilization, 3), otherCores };
    } finally {
      await manager.close();
    }
  }

  const show = (run: Run) =>
    `${String(run.n).padStart(6)} tasks, ${String(run.concurrency).padStart(3)} in flight: ${(run.totalMs / 1000).toFixed(2)} s → ${run.tasksPerSecond} tasks/s ` +
    `(POSTs answered after ${(run.postsMs / 1000).toFixed(2)} s, POST median ${run.postLatencyMs.median} ms p99 ${run.postLatencyMs.p99} ms; ` +
    `busy: manager thread ${Math.round(run.managerBusy * 100)}%, client thread ${Math.round(run.clientBusy * 100)}%, other processes ${run.otherCores} cores)`;

  console.log(`control plane with an in-memory runtime — ${RUNTIME}`);
  console.log(`node ${process.version}; client in a worker thread; fresh manager per run; ${concurrency} POSTs in flight`);
  const quiet = await waitForQuiet();
  console.log(quiet);
  try {
    // V8 needs several thousand tasks before the hot paths are compiled: the
    // first 2,000-task run goes at a third of the steady rate.
    let warmed = 0;
    for (const n of warmup) {
      await measure(n, concurrency);
      warmed += n;
    }
    console.log(`warm-up: ${warmed} tasks in ${warmup.length} runs, unmeasured`);
    let discarded = 0;
    const sweep: Run[] = [];
    if (sweepLevels.length > 0) {
      console.log(`requests in flight, ${sweepN} tasks each, ${rounds} round(s):`);
      for (let r = 0; r < rounds; r++) {
        for (const level of sweepLevels) {
          const { value: run, discarded: thrown } = await measureQuietly(() => measure(sweepN, level), `${sweepN} tasks, ${level} in flight`);
          discarded += thrown;
          sweep.push(run);
          console.log(`  ${show(run)}`);
        }
      }
    }
    // Sizes interleaved round by round, so both see the same machine and the same JIT.
    const runs: Run[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const n of sizes) {
        const { value: run, discarded: thrown } = await measureQuietly(() => measure(n, concurrency), `${n} tasks`);
        discarded += thrown;
        runs.push(run);
        console.log(show(run));
      }
    }
    const summary = (n: number) => {
      const mine = runs.filter((run) => run.n === n);
      return {
        n,
        runs: mine.length,
        medianTasksPerSecond: Math.round(median(mine.map((run) => run.tasksPerSecond))),
        medianSeconds: round(median(mine.map((run) => run.totalMs)) / 1000, 2),
      };
    };
    const small = summary(Math.min(...sizes));
    const large = summary(Math.max(...sizes));
    const ratio = round(large.medianTasksPerSecond / small.medianTasksPerSecond, 3);
    const bySweep = sweepLevels.map((level) => ({
      concurrency: level,
      medianTasksPerSecond: Math.round(median(sweep.filter((run) => run.concurrency === level).map((run) => run.tasksPerSecond))),
      medianPostMs: round(median(sweep.filter((run) => run.concurrency === level).map((run) => run.postLatencyMs.median)), 2),
    }));
    const profiles: object[] = [];
    if (profiling) {
      // Extra runs, not counted: the profiler slows what it watches.
      for (const n of [small.n, large.n]) {
        const run = await measure(n, concurrency, true);
        const file = join(tmpdir(), `cube-control-plane-${n}-${process.pid}.cpuprofile`);
        saveProfile(file, lastProfile!);
        const summary = summarise(lastProfile!, 15, n);
        profiles.push({ n, tasksPerSecondWhileProfiled: run.tasksPerSecond, file, ...summary });
        console.log(`profiled run: ${n} tasks, ${run.tasksPerSecond} tasks/s under the profiler; saved ${file}`);
        printSummary(summary);
      }
    }
    const result = {
      title: 'Control plane with an in-memory runtime',
      runtime: RUNTIME,
      measures: "first POST /tasks → every task seen with State 2 on the manager's GET /events stream",
      image: IMAGE,
      concurrency,
      rounds,
      warmup: `${warmed} tasks in ${warmup.length} runs, unmeasured`,
      machineAtStart: quiet,
      remeasured: discarded,
      disturbed: `runs during which other processes took more than ${DISTURBED_CORES} cores were measured again (at most 3 attempts): ${discarded} this time`,
      small,
      large,
      ratio,
      targets: { largeRate: 2000, ratio: 0.5 },
      met: { largeRate: large.medianTasksPerSecond >= 2000, ratio: ratio >= 0.5 },
      sweep: sweep.length > 0 ? { n: sweepN, levels: bySweep, runs: sweep } : undefined,
      runs,
      profiles: profiles.length > 0 ? profiles : undefined,
    };
    for (const level of bySweep)
      console.log(`${String(level.concurrency).padStart(4)} in flight: median ${level.medianTasksPerSecond} tasks/s, POST median ${level.medianPostMs} ms`);
    console.log(`median rate: ${small.n} tasks → ${small.medianTasksPerSecond} tasks/s; ${large.n} tasks → ${large.medianTasksPerSecond} tasks/s`);
    console.log(`rate(${large.n}) / rate(${small.n}) = ${ratio} (target ≥ 0.5: ${result.met.ratio ? 'met' : 'MISSED'})`);
    console.log(`rate at ${large.n}: ${large.medianTasksPerSecond} tasks/s (target ≥ 2000: ${result.met.largeRate ? 'met' : 'MISSED'})`);
    console.log(`saved ${saveResult('control-plane', result)}`);
  } finally {
    await thread.terminate();
  }
}

if (isMainThread) await main();
