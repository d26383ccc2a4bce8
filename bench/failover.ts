// Failover of several managers on etcd (docs/ha.md), and what etcd costs the
// control plane.
//
//   node --import tsx bench/failover.ts [--rounds 20] [--tasks 2000] [--concurrency 32]
//
// Failover: a three-member etcd cluster on loopback, three `cube manager`
// processes with DEFAULT settings (CUBE_LEADER_LEASE 3s, CUBE_LEADER_RENEW 1s),
// and one worker that joined them. Each round kills the leader with SIGKILL
// and, from that moment, sends a new task to the surviving managers, again
// and again (every 10 ms), until one is accepted (201): that is "first
// accepted POST". Then it asks for that task until a worker is named in its
// record: "first placement". The killed manager is started again before the
// next round, so three are always there.
//
// The worker in this benchmark runs in the benchmark's process on
// MemoryRuntime, an in-memory stand-in that RUNS NO CONTAINERS: placement is
// the manager's decision, and Docker would only add its own start time.
//
// Control-plane rate: the same N tasks, POSTed with C requests in flight,
// until the manager's event stream shows every one Running, on a manager with
// SQLite (the default store) and on a manager on the same etcd cluster, three
// rounds each in alternating order, each on a fresh manager with one joined
// MemoryRuntime worker, all in this process (the client too), after an
// unmeasured warm-up of 1000 tasks; a round during which other processes took
// more than 0.25 cores is measured again (at most 3 attempts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { nanoid } from 'nanoid';
import { readSettings, type Settings } from '../src/config/settings.js';
import { readEvents } from '../src/http/sse-client.js';
import { silentLog } from '../src/log.js';
import { startManager } from '../src/manager/start.js';
import { MemoryRuntime } from '../src/runtime/memory.js';
import { startWorker, type RunningWorker } from '../src/worker/start.js';
import { spawnCube, type CubeProcess } from '../test/helpers/cube-process.js';
import { startEtcd, type EtcdCluster } from '../test/helpers/etcd.js';
import { measureQuietly, median, othersMeter, percentile, round, saveResult } from './lib.js';

const RUNTIME = 'MemoryRuntime (in-memory stand-in: runs no containers)';
const IMAGE = 'strm/helloworld-http';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const ROUNDS = argument('rounds', 20);
const TASKS = argument('tasks', 2000);
const CONCURRENCY = argument('concurrency', 32);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hostOf = (url: string) => url.replace('http://', '');

async function post(url: string, id: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/tasks`, {
    method: 'POST',
    body: JSON.stringify({ Task: { ID: id, Name: id, Image: IMAGE } }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The URL of the leader, as any manager answers it (Cube-Leader), once one leads. */
async function leaderOf(managers: CubeProcess[]): Promise<string> {
  for (;;) {
    for (const manager of managers) {
      try {
        const response = await fetch(`${manager.url}/nodes`, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        const leader = response.headers.get('cube-leader');
        if (response.ok && leader) return leader;
      } catch {
        // the next one
      }
    }
    await pause(50);
  }
}

/** A worker in this process on MemoryRuntime, joined to `managers`. */
function joinedWorker(name: string, managers: string[], settings: Partial<Settings> = {}): Promise<RunningWorker> {
  return startWorker({
    port: 0,
    name,
    runtime: new MemoryRuntime(),
    log: silentLog,
    settings: { ...settings, store: 'memory', join: managers.map(hostOf).join(',') },
  });
}

interface Round {
  acceptMs: number;
  placeMs: number;
  /** POSTs refused (503) or unanswered before the first accepted one. */
  refused: number;
  /** Cores other processes (not this benchmark's) kept busy meanwhile. */
  otherCores: number;
}

async function failover(etcd: EtcdCluster): Promise<Round[]> {
  const env = { CUBE_STORE: 'etcd', CUBE_ETCD: etcd.endpoints, CUBE_ETCD_PREFIX: etcd.prefix(), CUBE_LOG: '0' };
  const managers: CubeProcess[] = [];
  for (let i = 0; i < 3; i++) managers.push(await spawnCube(['manager', '--port', '0'], env));
  const worker = await joinedWorker(
    `failover-${nanoid(5)}`,
    managers.map((m) => m.url),
    { heartbeatTtlMs: readSettings({}, {}).heartbeatTtlMs },
  );
  const rounds: Round[] = [];
  try {
    // The first placement before any kill: the worker is known to the cluster.
    const leader = await leaderOf(managers);
    for (let placed = false; !placed;) placed = (await post(leader, `warm-${nanoid(6)}`)).body?.Worker !== '';
    for (let r = 0; r < ROUNDS; r++) {
      const leaderUrl = await leaderOf(managers);
      const victim = managers.find((m) => m.url === leaderUrl)!;
      const survivors = managers.filter((m) => m !== victim);
      const id = `failover-${r}-${nanoid(6)}`;
      const others = othersMeter();
      const killedAt = performance.now();
      await victim.stop('SIGKILL');
      let refused = 0;
      let accepted: { status: number; body: any } | undefined;
      for (let i = 0; !accepted; i++) {
        try {
          const reply = await post(survivors[i % survivors.length]!.url, id);
          if (reply.status === 201 || reply.status === 202) accepted = reply;
          else refused++;
        } catch {
          refused++;
        }
        if (!accepted) await pause(10);
      }
      const acceptMs = performance.now() - killedAt;
      let task = accepted.body;
      while (!task?.Worker) {
        await pause(10);
        const response = await fetch(`${survivors[0]!.url}/tasks/${id}`);
        task = response.ok ? await response.json() : undefined;
      }
      const placeMs = performance.now() - killedAt;
      rounds.push({ acceptMs: round(acceptMs), placeMs: round(placeMs), refused, otherCores: others() });
      process.stderr.write(
        `failover round ${r + 1}/${ROUNDS}: accepted after ${round(acceptMs / 1000, 2)} s, placed after ${round(placeMs / 1000, 2)} s (${refused} refused)\n`,
      );
      // Three managers again for the next round.
      managers.splice(managers.indexOf(victim), 1, await spawnCube(['manager', '--port', '0'], env));
    }
  } finally {
    await worker.close();
    await Promise.all(managers.map((m) => m.stop('SIGKILL')));
  }
  return rounds;
}

/** N tasks, C in flight, until the event stream shows every one Running: tasks per second. */
async function rate(url: string, n: number, concurrency: number): Promise<{ ms: number; perSecond: number; postMedianMs: number; postP99Ms: number }> {
  const ids = Array.from({ length: n }, (_, i) => `rate-${i}-${nanoid(6)}`);
  const wanted = new Set(ids);
  const abort = new AbortController();
  const response = await fetch(`${url}/events`, { signal: abort.signal });
  const running = new Set<string>();
  let allRunning: () => void = () => undefined;
  const done = new Promise<number>((resolve) => (allRunning = () => resolve(performance.now())));
  void (async () => {
    try {
      for await (const { type, data } of readEvents(response.body!)) {
        if (type === 'task.updated' && data.task.State === 2 && wanted.has(data.task.ID)) {
          running.add(data.task.ID);
          if (running.size === n) allRunning();
        }
      }
    } catch {
      // aborted: done
    }
  })();
  const latencies: number[] = [];
  const begin = performance.now();
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const sent = performance.now();
        const reply = await post(url, id);
        if (reply.status !== 201) throw new Error(`POST answered ${reply.status}: ${JSON.stringify(reply.body)}`);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const end = await done;
  abort.abort();
  const ms = end - begin;
  return { ms: round(ms), perSecond: Math.round((n / ms) * 1000), postMedianMs: round(median(latencies)), postP99Ms: round(percentile(latencies, 99)) };
}

type Rate = Awaited<ReturnType<typeof rate>> & { store: string; otherCores: number; discarded: number };

/** Three rounds of each store, in alternating order (sqlite, etcd, etcd, sqlite, sqlite, etcd), each on a fresh manager, each on a quiet machine if it gets quiet. */
async function controlPlane(etcd: EtcdCluster) {
  const runs: Rate[] = [];
  for (const store of ['sqlite', 'etcd', 'etcd', 'sqlite', 'sqlite', 'etcd'] as const) {
    const settings: Partial<Settings> =
      store === 'etcd' ? { store, etcd: etcd.endpoints, etcdPrefix: etcd.prefix() } : { store, dataDir: mkdtempSync(join(tmpdir(), 'cube-bench-')) };
    const manager = await startManager({ port: 0, settings, log: silentLog });
    while (manager.leads && !manager.leads()) await pause(20);
    const worker = await joinedWorker(`rate-${store}-${nanoid(4)}`, [manager.url]);
    try {
      await rate(manager.url, 1000, CONCURRENCY); // warm-up, unmeasured: V8 compiles the hot paths
      const { value, otherCores, discarded } = await measureQuietly(() => rate(manager.url, TASKS, CONCURRENCY), `control plane on ${store}`);
      runs.push({ store, ...value, otherCores, discarded });
      process.stderr.write(`control plane on ${store}: ${value.perSecond} tasks/s (other processes: ${otherCores} cores)\n`);
    } finally {
      await worker.close();
      await manager.close();
    }
  }
  const medianOf = (store: string) => median(runs.filter((r) => r.store === store).map((r) => r.perSecond));
  return { runs, sqliteMedian: medianOf('sqlite'), etcdMedian: medianOf('etcd'), etcdOverSqlite: round(medianOf('etcd') / medianOf('sqlite'), 3) };
}

const etcd = await startEtcd(3);
try {
  const rounds = await failover(etcd);
  const rates = await controlPlane(etcd);
  const summary = {
    settings: { leaderLease: '3s', leaderRenew: '1s', etcdMembers: 3, managers: 3 },
    runtime: RUNTIME,
    rounds,
    acceptMedianMs: median(rounds.map((r) => r.acceptMs)),
    placeMedianMs: median(rounds.map((r) => r.placeMs)),
    acceptMaxMs: Math.max(...rounds.map((r) => r.acceptMs)),
    placeMaxMs: Math.max(...rounds.map((r) => r.placeMs)),
    otherCoresMedian: median(rounds.map((r) => r.otherCores)),
    controlPlane: { tasks: TASKS, concurrency: CONCURRENCY, ...rates },
  };
  const file = saveResult('failover', summary);
  const { runs: _, ...rateSummary } = summary.controlPlane;
  process.stdout.write(
    `${JSON.stringify({ acceptMedianMs: summary.acceptMedianMs, placeMedianMs: summary.placeMedianMs, controlPlane: rateSummary }, null, 2)}\nsaved ${file}\n`,
  );
} finally {
  await etcd.stop();
}
