// What the benchmarks share: statistics, starting Cube as real processes,
// reading event streams, and writing results next to docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEvents } from '../src/http/sse-client.js';

export const root = fileURLToPath(new URL('..', import.meta.url));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Follows a server-sent event stream, calling `onEvent` for each event, until `signal` aborts. */
export async function followEvents(url: string, onEvent: (type: string, data: any) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { signal });
  void (async () => {
    try {
      for await (const { type, data } of readEvents(response.body!)) onEvent(type, data);
    } catch {
      // aborted: the benchmark is over
    }
  })();
}

/** The machine a result was measured on, saved with it. */
export function machine() {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, os: `${process.platform} ${release()}` };
}

/** The commit measured, and whether the work tree differed from it (src/ and machines/ only). */
export function source(checkout = root): { commit: string; changedFiles: number } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: checkout, encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'src', 'machines'], { cwd: checkout, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean).length;
    return { commit, changedFiles: changed };
  } catch {
    return { commit: 'unknown', changedFiles: 0 };
  }
}

/** Writes a benchmark's result as JSON under docs/benchmarks/, for the report (bench/report.ts). */
export function saveResult(name: string, result: object): string {
  const dir = join(root, 'docs/benchmarks');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), source: source(), ...result }, null, 2)}\n`);
  return file;
}

interface ProcessCpu {
  ppid: number;
  comm: string;
  kernel: boolean;
  /** utime + stime + cutime + cstime, in ms: its own CPU and that of children it has reaped. */
  ms: number;
}

/** Every process's CPU time so far, from /proc (Linux); empty elsewhere. */
function processes(): Map<number, ProcessCpu> {
  const all = new Map<number, ProcessCpu>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return all;
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' '); // fields[0] is the state, field 3 of stat(5)
      const tick = 10; // USER_HZ is 100 on Linux
      // Init (pid 1) reaps every orphan, Docker's exited container shims among them: only its own time counts.
      const reaped = entry === '1' ? 0 : Number(fields[13]) + Number(fields[14]);
      const ms = (Number(fields[11]) + Number(fields[12]) + reaped) * tick;
      all.set(Number(entry), { ppid: Number(fields[1]), comm, kernel: (Number(fields[6]) & 0x00200000) !== 0, ms });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/** Docker's own processes, whose work a Docker benchmark causes: they and their children (the containers) are not "others". */
const DOCKER = new Set(['dockerd', 'containerd', 'containerd-shim', 'containerd-shim-runc-v2', 'runc', 'docker-proxy', 'docker-init']);

function isOurs(pid: number, all: Map<number, ProcessCpu>): boolean {
  for (let at: number | undefined = pid, hops = 0; at && hops < 64; at = all.get(at)?.ppid, hops++) {
    if (at === process.pid) return true;
    const info = all.get(at);
    if (!info || DOCKER.has(info.comm)) return info !== undefined;
  }
  return false;
}

/**
 * Measures, from now on, the cores other work kept busy: every process but
 * this one, its children, Docker's daemons and the containers (kernel threads
 * aside). A benchmark on a shared machine uses it to notice a build or a test
 * run of somebody else's that overlapped a measurement.
 */
export function othersMeter(): () => number {
  const before = processes();
  const machine0 = machineBusyMs();
  const wall0 = performance.now();
  return () => {
    const after = processes();
    const wall = performance.now() - wall0;
    let others = 0;
    let ours = 0;
    for (const [pid, info] of after) {
      if (info.kernel) continue;
      const delta = info.ms - (before.get(pid)?.comm === info.comm ? before.get(pid)!.ms : 0);
      if (isOurs(pid, after)) ours += delta;
      else others += delta;
    }
    // A parent that reaps a long-lived child gains all of its time at once: what
    // others took cannot exceed what the machine did beside this benchmark.
    const bound = machineBusyMs() - machine0 - ours;
    return round(Math.max(0, Math.min(others, bound)) / wall, 2);
  };
}

/** Busy CPU time of the whole machine so far, all cores, in ms (/proc/stat). */
function machineBusyMs(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + (fields[4] ?? 0);
    return (fields.slice(0, 8).reduce((a, b) => a + b, 0) - idle) * 10; // USER_HZ: 100 ticks a second
  } catch {
    return Infinity;
  }
}

/**
 * Waits until other work is quiet (busy on at most `maxCores` cores over a
 * second), for at most `timeoutMs`, so a measurement does not start in the
 * middle of somebody else's build. Says what it saw.
 */
export async function waitForQuiet(maxCores = 0.25, timeoutMs = 180_000): Promise<string> {
  const begin = performance.now();
  let busy = 0;
  while (performance.now() - begin < timeoutMs) {
    const meter = othersMeter();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    busy = meter();
    if (busy <= maxCores) return `quiet (other processes: ${busy} cores)`;
  }
  return `still busy after ${Math.round(timeoutMs / 1000)} s (other processes: ${busy} cores); measuring anyway`;
}

/** Other work may use at most this many cores during a measurement that counts. */
export const DISTURBED_CORES = 0.25;

/**
 * Runs one measurement on a quiet machine: waits for quiet first, and does it
 * again (up to `attempts` times in all) when other processes took more than
 * DISTURBED_CORES meanwhile. Returns the last attempt, with what others took
 * and how many attempts were thrown away.
 */
export async function measureQuietly<T>(work: () => Promise<T>, what: string, attempts = 3): Promise<{ value: T; otherCores: number; discarded: number }> {
  for (let attempt = 1; ; attempt++) {
    await waitForQuiet(DISTURBED_CORES, 60_000);
    const meter = othersMeter();
    const value = await work();
    const otherCores = meter();
    if (otherCores <= DISTURBED_CORES || attempt >= attempts) return { value, otherCores, discarded: attempt - 1 };
    console.log(`  (${what}: other processes took ${otherCores} cores meanwhile; measuring again)`);
  }
}
