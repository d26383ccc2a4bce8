// The paging phase of bench/scale.ts: while many clients read the whole task
// list of a manager holding N tasks, does it keep answering others? A probe
// sends GET /tasks?limit=1 every 10 ms (a one-task page, which costs the
// manager next to nothing, so its latency is the wait the readers cause) and
// its latency is compared with the same probe when nobody reads, alternating
// in one manager. The readers run in a process of their own
// (bench/scale-pagers.ts): 50 clients paging with ?limit=500&continue=…, and
// a few clients taking the whole list unpaged (streamed in chunks). Issue 13
// sets no figure for it: the report gives both latencies and their ratio.
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { median, othersMeter, percentile, round, waitForQuiet } from './lib.js';
import { countTasks, cpuMs } from './scale-client.js';
import { removeDir, roundDir, runCube } from './scale-history.js';

const pagersScript = fileURLToPath(new URL('./scale-pagers.ts', import.meta.url));

export interface PagingOptions {
  history: string;
  n: number;
  rounds: number;
  pagers: number;
  pageSize: number;
  /** Clients that take the whole list unpaged; 0 for none. */
  wholeReaders: number;
  /** How long the probe runs when nobody reads, in ms. */
  idleProbeMs: number;
  env: Record<string, string>;
  /** How long to wait for other processes to go quiet before a round. */
  quietWaitMs: number;
}

type Load = 'none' | 'page' | 'whole';

interface Readers {
  seconds: number;
  results: { tasks: number; requests: number; bytes: number; latencies: number[] }[];
}

/** The probe's pace: often enough for a p99 of a few seconds' worth, seldom enough not to be a load of its own. */
const PROBE_EVERY_MS = 10;

/** Sends GET /tasks?limit=1 every PROBE_EVERY_MS (at once when one took longer) until `done` says so; each latency in ms. */
async function probe(url: string, done: () => boolean): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const sent = performance.now();
      const req = request(`${url}/tasks?limit=1`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`the probe's GET /tasks?limit=1 answered ${res.statusCode}`));
          latencies.push(performance.now() - sent);
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
  try {
    for (let due = performance.now(); !done(); due += PROBE_EVERY_MS) {
      await once();
      const early = due + PROBE_EVERY_MS - performance.now();
      if (early > 0) await sleep(early);
      else due = performance.now() - PROBE_EVERY_MS;
    }
  } finally {
    agent.destroy();
  }
  return latencies;
}

/** Starts the readers' process and resolves once it is ready; `go()` sets them off and resolves with what they saw. */
async function readers(url: string, clients: number, pageSize: number, mode: 'page' | 'whole'): Promise<{ go(): Promise<Readers> }> {
  const child = fork(pagersScript, [url, String(clients), String(pageSize), mode], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then((code) => reject(new Error(`the readers exited with ${code} before they were ready`)));
  });
  return {
    go: () =>
      new Promise<Readers>((resolve, reject) => {
        child.once('message', (message: Readers | { error: string }) =>
          'error' in message ? reject(new Error(`a reader failed: ${message.error}`)) : resolve(message),
        );
        void exited.then((code) => reject(new Error(`the readers exited with ${code}`)));
        child.send('go');
      }),
  };
}

interface PagingRun {
  load: Load;
  clients: number;
  probes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  seconds: number;
  /** The readers' own requests: a page each, or the whole list each. */
  readerP50Ms?: number;
  readerP99Ms?: number;
  serverCores: number;
  otherCores: number;
}

async function pagingRun(url: string, pid: number, load: Load, options: PagingOptions): Promise<PagingRun> {
  const clients = load === 'page' ? options.pagers : load === 'whole' ? options.wholeReaders : 0;
  const reading = load === 'none' ? undefined : await readers(url, clients, options.pageSize, load);
  const others = othersMeter();
  const [cpu0, begin] = [cpuMs(pid), performance.now()];
  let seen: Readers | undefined;
  let failed: unknown;
  const finished = reading?.go().then(
    (r) => (seen = r),
    (error: unknown) => (failed = error),
  );
  const done = () => (finished ? seen !== undefined || failed !== undefined : performance.now() - begin >= options.idleProbeMs);
  const latencies = await probe(url, done);
  await finished;
  if (failed) throw failed;
  const seconds = (performance.now() - begin) / 1000;
  const serverCores = round((cpuMs(pid) - cpu0) / 1000 / seconds, 3);
  const otherCores = others();
  const short = seen?.results.find((r) => r.tasks !== options.n);
  if (short) throw new Error(`a reader got ${short.tasks} tasks of ${options.n}: the list was not read whole`);
  const readerLatencies = seen?.results.flatMap((r) => r.latencies) ?? [];
  return {
    load,
    clients,
    probes: latencies.length,
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    maxMs: round(Math.max(...latencies), 1),
    seconds: round(seconds, 2),
    ...(readerLatencies.length > 0 ? { readerP50Ms: round(percentile(readerLatencies, 50), 1), readerP99Ms: round(percentile(readerLatencies, 99), 1) } : {}),
    serverCores,
    otherCores,
  };
}

const show = (r: PagingRun) =>
  `  ${r.load.padEnd(5)} ${String(r.clients).padStart(3)} readers: probe p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms (${r.probes} probes in ${r.seconds} s)` +
  `${r.readerP50Ms === undefined ? '' : `; readers' requests p50 ${r.readerP50Ms} ms, p99 ${r.readerP99Ms} ms`}; manager ${r.serverCores} cores (other processes ${r.otherCores} cores)`;

export async function paging(options: PagingOptions) {
  console.log(
    `paging: ${options.rounds} rounds on one manager holding ${options.n} tasks; the probe alone, with ${options.pagers} clients paging by ${options.pageSize}` +
      `${options.wholeReaders > 0 ? ` and with ${options.wholeReaders} clients reading the whole list unpaged` : ''}, alternating`,
  );
  const dir = roundDir(options.history);
  const cube = await runCube(dir, options.env);
  try {
    const held = await countTasks(cube.url);
    if (held.total !== options.n) throw new Error(`the manager holds ${held.total} tasks, expected ${options.n}`);
    const loads: Load[] = ['none', 'page', ...(options.wholeReaders > 0 ? (['whole'] as const) : [])];
    const runs: PagingRun[] = [];
    for (let r = 0; r < options.rounds; r++) {
      console.log(`  ${await waitForQuiet(0.25, options.quietWaitMs)}`);
      for (const load of r % 2 === 0 ? loads : [...loads].reverse()) {
        const run = await pagingRun(cube.url, cube.pid, load, options);
        runs.push(run);
        console.log(show(run));
      }
    }
    // Each load's probe latencies over its rounds: the median of the rounds' p50 and p99.
    const summary = (load: Load) => {
      const of = runs.filter((r) => r.load === load);
      if (of.length === 0) return undefined;
      const mid = (key: 'p50Ms' | 'p99Ms') => median(of.map((r) => r[key]));
      return { p50Ms: round(mid('p50Ms'), 2), p99Ms: round(mid('p99Ms'), 2) };
    };
    const idle = summary('none')!;
    const paged = summary('page')!;
    const whole = summary('whole');
    const ratio = (x: { p50Ms: number; p99Ms: number }) => ({ p50: round(x.p50Ms / idle.p50Ms, 2), p99: round(x.p99Ms / idle.p99Ms, 2) });
    console.log(
      `probe with ${options.pagers} paging / alone: p50 ${paged.p50Ms} / ${idle.p50Ms} ms, p99 ${paged.p99Ms} / ${idle.p99Ms} ms` +
        `${whole ? `; with ${options.wholeReaders} whole-list readers: p50 ${whole.p50Ms} ms, p99 ${whole.p99Ms} ms` : ''}`,
    );
    return {
      at: new Date().toISOString(),
      n: options.n,
      rounds: options.rounds,
      pagers: options.pagers,
      pageSize: options.pageSize,
      wholeReaders: options.wholeReaders,
      env: options.env,
      idle,
      paged,
      pagedRatio: ratio(paged),
      ...(whole ? { whole, wholeRatio: ratio(whole) } : {}),
      runs,
    };
  } finally {
    await cube.stop();
    removeDir(dir);
  }
}
