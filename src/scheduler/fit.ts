// The resource filter every scheduler applies first: a worker is a candidate
// only when what its tasks already hold leaves room for what this task asks,
// its container engine is up, and it can run what the task names (a worker
// that speaks the book's protocol cannot be given Env or Cmd). When no worker fits, the reason says which
// resource each worker is short of, in amounts a person can act on; the task
// is then Failed (docs/spec.md §2 "schedule (no worker fits)") with that reason.
import type { Task } from '../vocabulary/task.js';
import type { Candidate } from '../vocabulary/scheduler.js';
import { distinctPair, formatBytes, formatCpus } from './units.js';

/** Slack for sums of fractional CPUs (1 − 0.9 is 0.0999…, which must still take 0.1). */
const CPU_EPSILON = 1e-9;

const cpus = (n: number) => (n === 1 ? 'CPU' : 'CPUs');

/** "has 0.5 of 2 CPUs unreserved, the task asks 1.5": free is shown as none when nothing is left. */
function short(
  worker: string,
  free: number,
  total: string,
  what: string,
  asked: number,
  format: (n: number, decimals: number) => string,
  from: number,
): string {
  const [freeText, askedText] = distinctPair(Math.max(free, 0), asked, format, from);
  return `${worker} has ${free <= 0 ? 'none' : freeText} of ${total} ${what}, the task asks ${askedText}`;
}

/**
 * Why `task` does not fit `candidate`, or undefined when it does. A worker
 * short of several resources gets one clause per resource, joined by "; ".
 */
export function shortage(task: Task, candidate: Candidate): string | undefined {
  const { name, stats, held } = candidate;
  if (stats.Runtime === 'down') {
    return `${name}: its container engine is down${stats.RuntimeProblem ? ` (${stats.RuntimeProblem})` : ''}`;
  }
  const problems: string[] = [];
  if (stats.Protocol === 'book' && (task.Env.length > 0 || task.Cmd.length > 0)) {
    problems.push(`${name} speaks the book's protocol, which cannot carry the task's ${task.Env.length > 0 ? 'Env' : 'Cmd'}`);
  }
  // A worker that does not know its CPU count yet (a book worker, until two of its stats are far enough apart) is not held to one.
  if (task.Cpu > 0 && stats.CpuCount > 0) {
    const free = stats.CpuCount - held.cpu;
    if (task.Cpu > free + CPU_EPSILON) {
      problems.push(short(name, free, `${formatCpus(stats.CpuCount)} ${cpus(stats.CpuCount)}`, 'unreserved', task.Cpu, formatCpus, 2));
    }
  }
  if (task.Memory > 0) {
    const free = stats.MemoryTotal - held.memory;
    if (task.Memory > free) {
      problems.push(short(name, free, formatBytes(stats.MemoryTotal), 'memory unreserved', task.Memory, formatBytes, 1));
    }
  }
  if (task.Disk > 0) {
    const free = stats.DiskFree - held.disk;
    if (task.Disk > free) {
      problems.push(short(name, free, formatBytes(stats.DiskTotal), 'disk free and unreserved', task.Disk, formatBytes, 1));
    }
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** The candidates the task fits, in input order, and why each of the others does not. */
export function partition(task: Task, candidates: readonly Candidate[]): { fitting: Candidate[]; shortages: string[] } {
  const fitting: Candidate[] = [];
  const shortages: string[] = [];
  for (const candidate of candidates) {
    const why = shortage(task, candidate);
    if (why === undefined) fitting.push(candidate);
    else shortages.push(why);
  }
  return { fitting, shortages };
}

/** The reason a task that fits nowhere is Failed with. */
export function noFit(task: Task, shortages: readonly string[]): string {
  const why = shortages.length > 0 ? shortages.join('; ') : 'there are no workers';
  return `no worker has room for the task: ${why}`;
}
