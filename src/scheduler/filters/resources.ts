// Resources that add up (docs/scheduling.md): a worker takes a task only when
// what the manager has placed on it (Cpu, Memory, Disk of its live tasks,
// `held`) leaves room for what the task asks, against the capacity the worker
// declares (its machine's, or less: cube worker --memory 8g). The detail says
// what is short in amounts a person can act on.
import type { Candidate } from '../../vocabulary/scheduler.js';
import type { Task } from '../../vocabulary/task.js';
import { distinctPair, formatBytes, formatCpus } from '../units.js';
import type { Filter } from './filter.js';

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

/** What a worker is short of for `task`, each with its clause; empty when the task fits. */
export function shortages(task: Task, candidate: Candidate): { resource: string; clause: string }[] {
  const { name, stats, held } = candidate;
  const found: { resource: string; clause: string }[] = [];
  // A worker that does not know its CPU count yet (a book worker, until two of its stats are far enough apart) is not held to one.
  if (task.Cpu > 0 && stats.CpuCount > 0) {
    const free = stats.CpuCount - held.cpu;
    if (task.Cpu > free + CPU_EPSILON) {
      found.push({
        resource: 'CPU',
        clause: short(name, free, `${formatCpus(stats.CpuCount)} ${cpus(stats.CpuCount)}`, 'unreserved', task.Cpu, formatCpus, 2),
      });
    }
  }
  if (task.Memory > 0) {
    const free = stats.MemoryTotal - held.memory;
    if (task.Memory > free) {
      found.push({ resource: 'memory', clause: short(name, free, formatBytes(stats.MemoryTotal), 'memory unreserved', task.Memory, formatBytes, 1) });
    }
  }
  if (task.Disk > 0) {
    const free = stats.DiskFree - held.disk;
    if (task.Disk > free) {
      found.push({ resource: 'disk', clause: short(name, free, formatBytes(stats.DiskTotal), 'disk free and unreserved', task.Disk, formatBytes, 1) });
    }
  }
  return found;
}

/** Why `task` does not fit `candidate`'s resources, or undefined when it does: one clause per resource, joined by "; ". */
export function shortage(task: Task, candidate: Candidate): string | undefined {
  const found = shortages(task, candidate);
  return found.length > 0 ? found.map((s) => s.clause).join('; ') : undefined;
}

export const resources: Filter = {
  name: 'resources',
  check: ({ task }, candidate) => {
    const found = shortages(task, candidate);
    if (found.length === 0) return undefined;
    return { group: `short of ${found.map((s) => s.resource).join(' and ')}`, detail: found.map((s) => s.clause).join('; ') };
  },
};
