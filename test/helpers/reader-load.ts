// The load of issue 10, shared by its test and its benchmark: a real `cube
// start` process (and its twin, the control); tasks that carry an Env of a few KiB (what makes events
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
  /** Memory counts as back once what the readers left (readersLeft) is at most this… */
  returnSlack: number;
  /** …which is measured for at most this many phases. */
  returnPhases: number;
  env?: Record<string, string>;
}

/**
 * Memory in bytes, all under the same flow of events. A Node process's resident
 * memory swings by tens of MB between garbage collections, and more on a busy
 * machine, so like is compared with like: the highest with readers against the
 * highest without them, the lowest (what is live after a collection) after them
 * against the lowest before; and what the twin's memory did meanwhile, with no
 * reader at all, is taken off (the machine's doing, not the readers').
 */
export interface ReaderLoadResult {
  /** Without readers: the lowest and the highest. */
  baselineRss: number;
  baselinePeakRss: number;
  /** With the readers: the highest. */
  peakRss: number;
  /** After they closed: the lowest of the last phase measured. */
  afterRss: number;
  /** The twin's, in the same phases. */
  twinBaselineRss: number;
  twinBaselinePeakRss: number;
  twinPeakRss: number;
  twinAfterRss: number;
  /** What the readers added at the highest, and left after they closed: the measured manager's rise less the twin's. */
  readersPeak: number;
  readersLeft: number;
  /** How long after the readers closed readersLeft was within returnSlack (or when it gave up). */
  returnedAfterMs: number;
  idleP50: number;
  idleP99: number;
  /** The same, measured again after the readers closed. */
  idleAgainP50: number;
  idleAgainP99: number;
  loadedP50: number;
  loadedP99: number;
  /** The twin's, at the same moments as loaded*: the value without readers under the same noise. */
  twinLoadedP50: number;
  twinLoadedP99: number;
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

/** A task that no worker can take (it asks for more memory than any has): it waits, Pending; `round` changes its definition. */
const doomed = (id: string, envBytes: number, round: number) => ({
  Task: {
    ID: id,
    Image: 'strm/helloworld-http',
    Name: `load-${id}`,
    Memory: 2 ** 50,
    Env: [`ROUND=${round}`, ...Array.from({ length: Math.ceil(envBytes / 1024) }, (_, i) => `PAYLOAD_${i}=${'x'.repeat(1014)}`)],
  },
});

let rounds = 0;

/** POSTs the task `id`, each time with another definition: an update of a waiting task, which makes the events a new one does. */
async function submit(url: string, id: string, envBytes: number): Promise<void> {
  const response = await fetch(`${url}/tasks`, { method: 'POST', body: JSON.stringify(doomed(id, envBytes, rounds++)) });
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

interface Phase {
  /** GET /tasks of the manager measured, and of its twin, taken in turn. */
  times: number[];
  twinTimes: number[];
  /** Resident memory of each every 50 ms, and the measured manager's CPU use in cores. */
  rss: number[];
  twinRss: number[];
  cpu: number;
}

/** GETs /tasks of the manager and of its twin in turn for `ms`, sampling the memory of both. */
async function timedPhase(url: string, twinUrl: string, pids: [number, number], ms: number): Promise<Phase> {
  const phase: Phase = { times: [], twinTimes: [], rss: [], twinRss: [], cpu: 0 };
  const sample = () => {
    phase.rss.push(rssOf(pids[0]));
    phase.twinRss.push(rssOf(pids[1]));
  };
  sample();
  const cpu = cpuOf(pids[0]);
  const sampler = setInterval(sample, 50);
  const end = performance.now() + ms;
  try {
    while (performance.now() < end) {
      phase.times.push(...(await timeGets(`${url}/tasks`, 1)));
      phase.twinTimes.push(...(await timeGets(`${twinUrl}/tasks`, 1)));
    }
  } finally {
    clearInterval(sampler);
  }
  phase.cpu = (cpuOf(pids[0]) - cpu) / ms;
  return phase;
}

/**
 * Measures one manager with and without readers that never read. Its twin, a
 * second manager with the same tasks and the same flow of events and never a
 * reader, is asked GET /tasks in turn with it, so the latency "without readers"
 * is taken at the same moments, under the same noise of a shared machine.
 */
export async function measureReaderLoad(options: ReaderLoadOptions): Promise<ReaderLoadResult> {
  const processes: CubeProcess[] = [];
  let readers: HeldSocket[] = [];
  const flows: ReturnType<typeof steadySubmissions>[] = [];
  try {
    for (const role of ['load', 'twin']) {
      processes.push(
        await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', `${role}-${nanoid(6)}`], { CUBE_LOG: '0', ...options.env }),
      );
    }
    const [url, twinUrl] = processes.map((p) => p.url) as [string, string];
    const pids = processes.map((p) => p.child.pid!) as [number, number];
    const ids = Array.from({ length: options.seedTasks }, () => nanoid(10));
    for (const id of ids) await Promise.all([url, twinUrl].map((u) => submit(u, id, options.envBytes)));
    const snapshotBytes = (await (await fetch(`${url}/tasks`)).arrayBuffer()).byteLength;
    const phase = () => timedPhase(url, twinUrl, pids, options.phaseMs);

    // Warm-up, unmeasured: the same work as measured, until the managers hold all they keep
    // (the newest changes, for ?since=) and their heaps have grown to what they need.
    flows.push(...[url, twinUrl].map((u) => steadySubmissions(u, ids, options.envBytes, options.submitEveryMs)));
    do await phase();
    while (Math.min(await newestVersion(url), await newestVersion(twinUrl)) < options.warmVersions);
    const idle = await phase();
    readers = await stalledReaders(url, options.readers);
    const before = flows[0]!.count();
    const loaded = await phase();
    const submitted = flows[0]!.count() - before;
    // They leave as they came, without reading: whatever the manager held for them must come back.
    closeAll(readers);
    const baselineRss = Math.min(...idle.rss);
    const twinBaselineRss = Math.min(...idle.twinRss);
    // Memory given back shows as the same floor as before, under the same flow, less whatever
    // the twin's floor moved meanwhile (the machine and the flow, not the readers). V8 takes a
    // few collections to shrink a heap that grew, so this waits phase after phase, up to returnPhases.
    let after = await phase();
    let returnedAfterMs = options.phaseMs;
    const readersLeft = (p: Phase) => Math.min(...p.rss) - baselineRss - Math.max(0, Math.min(...p.twinRss) - twinBaselineRss);
    const idleAgain = after;
    while (readersLeft(after) > options.returnSlack && returnedAfterMs < options.returnPhases * options.phaseMs) {
      after = await phase();
      returnedAfterMs += options.phaseMs;
    }
    return {
      baselineRss,
      baselinePeakRss: Math.max(...idle.rss),
      peakRss: Math.max(...loaded.rss),
      afterRss: Math.min(...after.rss),
      twinBaselineRss,
      twinBaselinePeakRss: Math.max(...idle.twinRss),
      twinPeakRss: Math.max(...loaded.twinRss),
      twinAfterRss: Math.min(...after.twinRss),
      readersPeak: Math.max(...loaded.rss) - Math.max(...idle.rss) - Math.max(0, Math.max(...loaded.twinRss) - Math.max(...idle.twinRss)),
      readersLeft: readersLeft(after),
      returnedAfterMs,
      idleP50: percentile(idle.times, 50),
      idleP99: percentile(idle.times, 99),
      idleAgainP50: percentile(idleAgain.times, 50),
      idleAgainP99: percentile(idleAgain.times, 99),
      loadedP50: percentile(loaded.times, 50),
      loadedP99: percentile(loaded.times, 99),
      twinLoadedP50: percentile(loaded.twinTimes, 50),
      twinLoadedP99: percentile(loaded.twinTimes, 99),
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
    await Promise.all(flows.map((f) => f.stop()));
    await Promise.all(processes.map((p) => p.stop()));
  }
}

export const inMiB = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
