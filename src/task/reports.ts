// What other processes say about tasks, checked before Cube uses it: a
// worker's answers (GET /tasks, its event stream), and the records a store
// reads back at start. The same checks as the request codec (codec.ts), but
// read leniently where peers legitimately differ: a key that is missing takes
// its zero value (the book's worker sends no Events, StateName or Env, and
// `null` for an empty list). A key that is there with a wrong type is refused,
// naming the field, so a bad answer never reaches the machines.
import { stateNameOf, stateNames, TaskState, type StateName, type Task, type TaskHistoryEntry } from '../vocabulary/task.js';
import type { WorkerStats } from '../vocabulary/protocol.js';
import { labelsProblem } from '../vocabulary/labels.js';
import { describe, isObject, list, number, oneOf, string, taskSchema, ValidationError, type Check } from './codec.js';
import { newTask } from '../vocabulary/task.js';
import { readMounts } from './mounts.js';

const historyEntry: Check = (value, path) => {
  if (!isObject(value)) return `${path}: expected {"Time", "Type", "Message"}, got ${describe(value)}`;
  for (const key of ['Time', 'Type', 'Message'] as const) {
    if (typeof value[key] !== 'string') return `${path}.${key}: expected a string, got ${describe(value[key])}`;
  }
  return undefined;
};

/** Owned keys get a stricter look here than in requests, where they are ignored anyway. */
const reportChecks: Partial<Record<keyof Task, Check>> = {
  StateName: oneOf(stateNames),
  Events: (value, path) => {
    const problem = list(value, path);
    if (problem) return problem;
    for (const [i, entry] of (value as unknown[]).entries()) {
      const bad = historyEntry(entry, `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  },
  ID: string(undefined, undefined, 128),
};

/** Reads one task record as another process sent or stored it; throws ValidationError naming the bad field. */
export function readTask(value: unknown, path = 'task'): Task {
  if (!isObject(value)) throw new ValidationError(`${path}: expected a task object, got ${describe(value)}`);
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(taskSchema)) {
    const given = value[key];
    if (given === undefined || (given === null && (key === 'Events' || key === 'Env' || key === 'Cmd' || key === 'Mounts'))) continue;
    const problem = (reportChecks[key as keyof Task] ?? field.check)(given, `${path}.${key}`);
    if (problem) throw new ValidationError(problem);
    fields[key] = given;
  }
  if (typeof fields['ID'] !== 'string' || fields['ID'] === '') throw new ValidationError(`${path}.ID: required, got ${describe(value['ID'])}`);
  const state = (fields['State'] as number | undefined) ?? TaskState.Pending;
  return newTask({
    ...(fields as Partial<Task>),
    ID: fields['ID'] as string,
    Name: (fields['Name'] as string | undefined) ?? '',
    Image: (fields['Image'] as string | undefined) ?? '',
    StateName: (fields['StateName'] as StateName | undefined) ?? stateNameOf(state) ?? 'pending',
    Events: ((fields['Events'] as TaskHistoryEntry[] | undefined) ?? []).map(({ Time, Type, Message }) => ({ Time, Type, Message })),
    Mounts: readMounts((fields['Mounts'] as Record<string, unknown>[] | undefined) ?? []),
  });
}

/** Reads a list of tasks; `null` is an empty list (the book's worker answers it when it has none). */
export function readTaskList(value: unknown, path = 'tasks'): Task[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new ValidationError(`${path}: expected a list of tasks, got ${describe(value)}`);
  return value.map((item, i) => readTask(item, `${path}[${i}]`));
}

const statsChecks: Record<
  Exclude<keyof WorkerStats, 'Worker' | 'LoadAverage' | 'Runtime' | 'RuntimeProblem' | 'Protocol' | 'Labels' | 'VolumeRoots'>,
  Check
> = {
  MemoryTotal: number(0, Number.MAX_SAFE_INTEGER, false, 'bytes'),
  MemoryAvailable: number(0, Number.MAX_SAFE_INTEGER, false, 'bytes'),
  DiskTotal: number(0, Number.MAX_SAFE_INTEGER, false, 'bytes'),
  DiskFree: number(0, Number.MAX_SAFE_INTEGER, false, 'bytes'),
  CpuUsage: number(0, 1, false, 'a share of all CPUs, 0…1'),
  CpuCount: number(0, 1e6, true, 'CPUs'),
  TaskCount: number(0, Number.MAX_SAFE_INTEGER, true, 'tasks'),
};

/** Reads a Cube worker's stats (GET /stats, and its heartbeats): Cube's keys; the book's keys beside them are src/book/'s to read. */
export function readStats(value: unknown, path = 'stats'): WorkerStats {
  if (!isObject(value)) throw new ValidationError(`${path}: expected a stats object, got ${describe(value)}`);
  for (const [key, check] of Object.entries(statsChecks)) {
    const problem = check(value[key], `${path}.${key}`);
    if (problem) throw new ValidationError(problem);
  }
  const load = value['LoadAverage'];
  if (!Array.isArray(load) || load.length !== 3 || !load.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    throw new ValidationError(`${path}.LoadAverage: expected three numbers, got ${describe(load)}`);
  }
  const roots = value['VolumeRoots'] ?? [];
  if (!Array.isArray(roots) || roots.length > 256 || !roots.every((r) => typeof r === 'string' && r.startsWith('/') && r.length <= 4096)) {
    throw new ValidationError(`${path}.VolumeRoots: expected a list of absolute paths, got ${describe(roots)}`);
  }
  // Labels are the worker's word about itself: checked as strictly as the operator's (src/vocabulary/labels.ts).
  const labels = value['Labels'] ?? {};
  const labelProblem = labelsProblem(labels, `${path}.Labels`, false);
  if (labelProblem) throw new ValidationError(labelProblem);
  const runtime = value['Runtime'] === 'down' ? 'down' : 'up';
  const problem = typeof value['RuntimeProblem'] === 'string' ? value['RuntimeProblem'] : '';
  return {
    Worker: typeof value['Worker'] === 'string' ? value['Worker'] : '',
    ...(Object.fromEntries(Object.keys(statsChecks).map((key) => [key, value[key]])) as Omit<
      WorkerStats,
      'Worker' | 'LoadAverage' | 'Runtime' | 'RuntimeProblem' | 'Protocol' | 'Labels' | 'VolumeRoots'
    >),
    Labels: labels as Record<string, string>,
    LoadAverage: load as [number, number, number],
    ...(roots.length > 0 ? { VolumeRoots: roots as string[] } : {}),
    Runtime: runtime,
    RuntimeProblem: problem,
  };
}
