// The load of issue 10, shared by its test and its benchmark: a real `cube
// start` process; tasks that carry an Env of a few KiB (what makes events
// large) and fail at once for want of room (so Docker does no work); a steady
// flow of such submissions (the same tasks again, so the records do not
// grow), so events keep coming; and N readers of GET /events that never read.
// It reports the manager's resident memory and GET /tasks latency without the
// readers, with them, and after they close.
import { nanoid } from 'nanoid';
import { readEvents } from '../../src/http/sse-client.js';
import { percentile } from '../../bench/lib.js';
import { spawnCube, type CubeProcess } from './cube-process.js';
import { closeAll, cpuOf, rssOf, stalledReaders, timeGets, type HeldSocket } from './slow-clients.js';

export interface ReaderLoadOptions {
  readers: number;
  /** Tasks in the manager before measuring: what GET /tasks and each snapshot return. */
  seedTasks: number;
  /** Bytes of Env per task. */
  envBytes: number;
  /** One submission every this many ms, in every phase. */
  submitEveryMs: number;
  /** How long each phase lasts: warm-up, without readers, with them, after them. */
  phaseMs: number;
  /** The warm-up lasts until the manager has made this many changes: more than it keeps for ?since= (4096). */
  warmVersions: number;
  /** Memory counts as back once the floor of a phase after the readers is within this of the floor before… */
  returnSlack: number;
  /** …which is measured for at most this many phases. */
  returnPhases: number;
  env?: Record<string, string>;
}

/**
 * Memory in bytes, all under the same flow of events. A Node process's resident
 * memory swings by tens of MB between garbage collections, so like is compared
 * with like: the highest with readers against the highest without them, and
 * the lowest (what is live after a collection) after them against the lowest before.
 */
export interface ReaderLoadResult {
  /** Without readers: the lowest and the highest. */
  baselineRss: number;
  baselinePeakRss: number;
  /** With the readers: the highest. */
  peakRss: number;
  /** After they closed: the lowest of the phase that came back within returnSlack of baselineRss (or of the last one). */
  afterRss: number;
  /** How long after the readers closed the floor was back within returnSlack of the baseline (or gave up). */
  returnedAfterMs: number;
  idleP50: number;
  idleP99: number;
  /** The same, measured again after the readers closed: the machine's noise moves both. */
  idleAgainP50: number;
  idleAgainP99: number;
  loadedP50: number;
  loadedP99: number;
  /** The manager's CPU use in each phase, in cores. */
  idleCpu: number;
  loadedCpu: number;
  idleAgainCpu: number;
  idleGets: number;
  loadedGets: number;
  /** Submissions made while the readers were connected. */
  submitted: number;
  snapshotBytes: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that fails at once: it asks for more memory than any worker has. */
const doomed = (id: string, envBytes: number) => ({
  Task: {
    ID: id,
    Image: 'strm/helloworld-http',
    Name: `load-${id}`,
    Memory: 2 ** 50,
    Env: Array.from({ length: Math.ceil(envBytes / 1024) }, (_, i) => `PAYLOAD_${i}=${'x'.repeat(1014)}`),
  },
});

/** POSTs the task `id`; a Failed one is tried again, which makes the same events as a new one. */
async function submit(url: string, id: string, envBytes: number): Promise<void> {
  const response = await fetch(`${url}/tasks`, { method: 'POST', body: JSON.stringify(doomed(id, envBytes)) });
  await response.arrayBuffer();
  if (response.status !== 201) throw new Error(`POST /tasks answered ${response.status}`);
}

/**
 * Submits one of `ids` again every `everyMs` until stopped, so events keep
 * coming while the number of tasks stays the same (the memory measured is the readers', not new tasks').
 */
function steadySubmissions(url: string, ids: string[], envBytes: number, everyMs: number) {
  let count = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const started = performance.now();
      await submit(url, ids[count % ids.length]!, envBytes);
      count++;
      await sleep(Math.max(0, everyMs - (performance.now() - started)));
    }
  })();
  return {
    count: () => count,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** The version of the newest change, from the snapshot of GET /events. */
async function newestVersion(url: string): Promise<number> {
  const abort = new AbortController();
  try {
    const response = await fetch(`${url}/events`, { signal: abort.signal });
    const { value } = await readEvents(response.body!).next();
    return Number(value?.data?.version ?? 0);
  } finally {
    abort.abort();
  }
}

/** GETs /tasks one after another for `ms`: the time of each, and the manager's resident memory every 50 ms. */
async function timedPhase(url: string, pid: number, ms: number): Promise<{ times: number[]; rss: number[]; cpu: number }> {
  const times: number[] = [];
  const cpu = cpuOf(pid);
  const rss = [rssOf(pid)];
  const sampler = setInterval(() => rss.push(rssOf(pid)), 50);
  const end = performance.now() + ms;
  try {
    while (performance.now() < end) times.push(...(await timeGets(`${url}/tasks`, 10)));
  } finally {
    clearInterval(sampler);
  }
  return { times, rss, cpu: (cpuOf(pid) - cpu) / ms };
}

export async function measureReaderLoad(options: ReaderLoadOptions): Promise<ReaderLoadResult> {
  const name = `load-${nanoid(6)}`;
  let cube: CubeProcess | undefined;
  let readers: HeldSocket[] = [];
  try {
    cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', name], { CUBE_LOG: '0', ...options.env });
    const url = cube.url;
    const pid = cube.child.pid!;
    const ids = Array.from({ length: options.seedTasks }, () => nanoid(10));
    for (const id of ids) await submit(url, id, options.envBytes);
    const snapshotBytes = (await (await fetch(`${url}/tasks`)).arrayBuffer()).byteLength;

    // Warm-up, unmeasured: the same work as measured, until the manager holds all it keeps
    // (the newest changes, for ?since=) and its heap has grown to what it needs.
    const flow = steadySubmissions(url, ids, options.envBytes, options.submitEveryMs);
    do await timedPhase(url, pid, options.phaseMs);
    while ((await newestVersion(url)) < options.warmVersions);
    const idle = await timedPhase(url, pid, options.phaseMs);
    readers = await stalledReaders(url, options.readers);
    const before = flow.count();
    const loaded = await timedPhase(url, pid, options.phaseMs);
    const submitted = flow.count() - before;
    // They leave as they came, without reading: whatever the manager held for them must come back.
    closeAll(readers);
    const baselineRss = Math.min(...idle.rss);
    // Memory given back shows as the same floor as before, under the same flow; V8 takes a few
    // collections to shrink a heap that grew, so this waits phase after phase, up to returnPhases.
    const idleAgain = await timedPhase(url, pid, options.phaseMs);
    let afterRss = Math.min(...idleAgain.rss);
    let returnedAfterMs = options.phaseMs;
    while (afterRss > baselineRss + options.returnSlack && returnedAfterMs < options.returnPhases * options.phaseMs) {
      afterRss = Math.min(...(await timedPhase(url, pid, options.phaseMs)).rss);
      returnedAfterMs += options.phaseMs;
    }
    await flow.stop();
    return {
      baselineRss,
      baselinePeakRss: Math.max(...idle.rss),
      peakRss: Math.max(...loaded.rss),
      afterRss,
      returnedAfterMs,
      idleP50: percentile(idle.times, 50),
      idleP99: percentile(idle.times, 99),
      idleAgainP50: percentile(idleAgain.times, 50),
      idleAgainP99: percentile(idleAgain.times, 99),
      loadedP50: percentile(loaded.times, 50),
      loadedP99: percentile(loaded.times, 99),
      idleCpu: idle.cpu,
      loadedCpu: loaded.cpu,
      idleAgainCpu: idleAgain.cpu,
      idleGets: idle.times.length,
      loadedGets: loaded.times.length,
      submitted,
      snapshotBytes,
    };
  } finally {
    closeAll(readers);
    await cube?.stop();
  }
}

export const inMiB = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
