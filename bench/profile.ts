// CPU profiles of a benchmark's own thread, taken with the inspector around
// the part being measured, and summed up into where the time goes: by area
// (Node's HTTP, Koa, XState, Cube's files), and by function, self and total.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root, round } from './lib.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Share {
  name: string;
  ms: number;
  /** Share of the profiled time, in percent. */
  percent: number;
  /** Microseconds per task, when the profile covers a known number of tasks. */
  usPerTask?: number;
}

export interface ProfileSummary {
  /** Time the samples cover. */
  ms: number;
  /** Where the time goes by area, self time. */
  areas: Share[];
  /** The functions with the most self time. */
  self: Share[];
  /** Cube's own functions (src/, machines/) with the most total time, callees included. */
  cubeTotal: Share[];
}

/** Starts profiling this thread; the returned function stops and gives the profile. */
export async function startProfile(): Promise<() => Promise<CpuProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return profile as unknown as CpuProfile;
  };
}

const where = (url: string): string => {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(root) ? relative(root, path) : path;
};

/** The area a frame belongs to. */
function areaOf(frame: CallFrame): string {
  const file = where(frame.url);
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (frame.functionName === '(idle)') return 'idle';
  if (frame.functionName === '(program)') return 'V8/native (program)';
  if (!file) return `native: ${frame.functionName || '(anonymous)'}`;
  if (file.startsWith('node:')) {
    if (/http|_http_|net|stream|socket|tcp/.test(file)) return 'Node HTTP, sockets and streams';
    return 'Node, other';
  }
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
  if (module) return module === 'koa' || module.startsWith('@koa') || module.startsWith('koa-') ? 'Koa and its router' : module;
  return file; // Cube's own files: src/…, machines/…, bench/…
}

/** "name (file:line)"; TypeScript files as tsx compiled them have no useful line numbers, so just the file. */
function label(frame: CallFrame): string {
  const file = where(frame.url);
  const place = !file ? '' : file.endsWith('.ts') ? ` (${file})` : ` (${file}:${frame.lineNumber + 1})`;
  return `${frame.functionName || '(anonymous)'}${place}`;
}

export function summarise(profile: CpuProfile, top = 15, tasks?: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
  }
  // The time the samples cover (the wait before the first sample is not in any).
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const share = (map: Map<string, number>): Share[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: round(us / 1000, 1), percent: round((100 * us) / totalUs, 1), ...(tasks ? { usPerTask: round(us / tasks, 1) } : {}) }));

  const areas = new Map<string, number>();
  const self = new Map<string, number>();
  const cubeTotal = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    areas.set(areaOf(frame), (areas.get(areaOf(frame)) ?? 0) + us);
    self.set(label(frame), (self.get(label(frame)) ?? 0) + us);
    // Total time: every Cube function on the stack gets the sample, once however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const caller = byId.get(at)!.callFrame;
      const file = where(caller.url);
      if (!/^(src|machines)\//.test(file)) continue;
      const name = label(caller);
      if (seen.has(name)) continue;
      seen.add(name);
      cubeTotal.set(name, (cubeTotal.get(name) ?? 0) + us);
    }
  }
  return { ms: round(totalUs / 1000, 1), areas: share(areas), self: share(self), cubeTotal: share(cubeTotal) };
}

export function saveProfile(file: string, profile: CpuProfile): void {
  writeFileSync(file, JSON.stringify(profile));
}

export function printSummary(summary: ProfileSummary): void {
  const rows = (list: Share[]) =>
    list
      .map(
        (s) =>
          `    ${String(s.percent).padStart(5)}%  ${String(s.ms).padStart(8)} ms${s.usPerTask === undefined ? '' : `  ${String(s.usPerTask).padStart(6)} µs/task`}  ${s.name}`,
      )
      .join('\n');
  console.log(`  profile of the manager thread, ${summary.ms} ms:`);
  console.log(`  by area (self time):\n${rows(summary.areas)}`);
  console.log(`  functions by self time:\n${rows(summary.self)}`);
  console.log(`  Cube functions by total time (callees included):\n${rows(summary.cubeTotal)}`);
}
