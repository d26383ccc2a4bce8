// What a worker's tasks hold, as the manager's records say. The filter (fit.ts)
// compares a task's asks with what is left of a worker once these are taken;
// E-PVM (epvm.ts) reads the nominal sums, so a task that asks for nothing still
// weighs something and such tasks spread instead of piling on one worker.
import type { Task } from '../vocabulary/task.js';
import type { Held } from '../vocabulary/scheduler.js';

const MiB = 1024 * 1024;

/** What a task that leaves Cpu or Memory at 0 is counted as asking, for scoring only. */
export const NOMINAL_CPU = 0.1;
export const NOMINAL_MEMORY = 64 * MiB;

/** The demand E-PVM scores a task by: its asks, or a little where it asks nothing. */
export function nominalDemand(task: Pick<Task, 'Cpu' | 'Memory'>): { cpu: number; memory: number } {
  return { cpu: task.Cpu || NOMINAL_CPU, memory: task.Memory || NOMINAL_MEMORY };
}

export function emptyHeld(): Held {
  return { cpu: 0, memory: 0, disk: 0, tasks: 0, nominalCpu: 0, nominalMemory: 0 };
}

/**
 * CPU sums are fractions (0.1 + 0.2 ≠ 0.3 in floating point); rounding to a
 * billionth of a core lets adding and then removing the same tasks come back
 * to exactly where it started, however many times it is done.
 */
const cpuSum = (a: number, b: number) => Math.round((a + b) * 1e9) / 1e9;

/** `held` with the task added (sign 1) or removed (sign -1); `held` itself is untouched. */
export function holdTask(held: Held, task: Task, sign: 1 | -1): Held {
  const nominal = nominalDemand(task);
  return {
    cpu: cpuSum(held.cpu, sign * task.Cpu),
    memory: held.memory + sign * task.Memory,
    disk: held.disk + sign * task.Disk,
    tasks: held.tasks + sign,
    nominalCpu: cpuSum(held.nominalCpu, sign * nominal.cpu),
    nominalMemory: held.nominalMemory + sign * nominal.memory,
  };
}
