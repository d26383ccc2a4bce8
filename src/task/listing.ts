// A Cube worker's listing, as its event stream (`worker.tasks`) and
// `GET /tasks?since=N` send it, checked before the manager uses it like any
// other answer (src/task/reports.ts): the records that changed, the
// Completed ones named without their records, the tasks it has, and its
// newest version. A field that does not fit is named.
import type { FromWorker, HeldTask } from '../vocabulary/protocol.js';
import type { DoneTask } from '../vocabulary/retention.js';
import { stateNames } from '../vocabulary/task.js';
import { describe, isObject, number, oneOf, string, ValidationError, type Check } from './codec.js';
import { readTaskList } from './reports.js';

type Listing = Extract<FromWorker, { type: 'worker.tasks' }>;

const text = string(undefined, undefined, 256);
const version = number(0, Number.MAX_SAFE_INTEGER, true, 'a version');

function readEach<T>(value: unknown, path: string, checks: Record<string, Check>): T[] {
  if (!Array.isArray(value)) throw new ValidationError(`${path}: expected a list, got ${describe(value)}`);
  return value.map((item, i) => {
    if (!isObject(item)) throw new ValidationError(`${path}[${i}]: expected an object, got ${describe(item)}`);
    const read: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(checks)) {
      const problem = check(item[key], `${path}[${i}].${key}`);
      if (problem) throw new ValidationError(problem);
      read[key] = item[key];
    }
    return read as T;
  });
}

const doneChecks: Record<keyof DoneTask, Check> = { ID: text, Worker: text, Placement: text, SubmitTime: text, FinishTime: text, Version: version };
const heldChecks: Record<keyof HeldTask, Check> = { ID: text, Placement: text, StateName: oneOf(stateNames) };

/**
 * Reads the parts of a listing (`{tasks, done, held, version}` on the stream,
 * `{Tasks, Done, Held, Version}` from GET /tasks?since=N); `done`, `held` and
 * `version` are absent from a worker that predates them.
 */
export function readListing(
  value: Record<string, unknown>,
  path: string,
  keys: { tasks: string; done: string; held: string; version: string },
): Pick<Listing, 'tasks' | 'done' | 'held' | 'version'> {
  const tasks = readTaskList(value[keys.tasks], `${path}.${keys.tasks}`);
  const done = value[keys.done] === undefined ? undefined : readEach<DoneTask>(value[keys.done], `${path}.${keys.done}`, doneChecks);
  const held = value[keys.held] === undefined ? undefined : readEach<HeldTask>(value[keys.held], `${path}.${keys.held}`, heldChecks);
  const problem = value[keys.version] === undefined ? undefined : version(value[keys.version], `${path}.${keys.version}`);
  if (problem) throw new ValidationError(problem);
  return {
    tasks,
    ...(done ? { done } : {}),
    ...(held ? { held } : {}),
    ...(value[keys.version] === undefined ? {} : { version: value[keys.version] as number }),
  };
}
