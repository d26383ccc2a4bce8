// One schema for what clients send (docs/spec.md §1), reused by the worker API, the
// manager API and the CLI. Requests are strict: unknown keys and wrong types
// are refused with a message naming the key, the value and what was expected.
// Keys the server owns (ContainerID, HostPorts, times, …) are accepted when
// well-typed, so a task read from GET can be POSTed back, and then ignored.
import { randomUUID } from 'node:crypto';
import { nanoid } from 'nanoid';
import { withUnits } from './units.js';
import { checkMounts, readMounts } from './mounts.js';
import { closest } from '../vocabulary/closest.js';
import { MAX_SET, parseConstraint } from '../vocabulary/constraint.js';
import { keyProblem } from '../vocabulary/labels.js';
import { newTask, restartPolicies, type RestartPolicy, type Task, type TaskEvent } from '../vocabulary/task.js';

/** A request that does not fit the schema; `message` is for a person. */
export class ValidationError extends Error {
  override name = 'ValidationError';
}

/** A check of one value: the problem in words, with its path, or undefined when it is fine. */
export type Check = (value: unknown, path: string) => string | undefined;

export const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (${typeof value})`;
};

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// Docker's own grammars: container names, image references, ports.
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,127}$/;
// nanoid's alphabet (UUIDs fit in it) plus ".", but not "." or ".." alone: ids go in URL paths.
export const TASK_ID = /^(?!\.\.?$)[a-zA-Z0-9_.-]{1,128}$/;
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const IMAGE = new RegExp(`^(?:${HOST}(?:\\.${HOST})*(?::[0-9]+)?/)?${COMPONENT}(?:/${COMPONENT})*` + '(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$');
const PORT_KEY = /^([0-9]{1,5})\/(tcp|udp|sctp)$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const MIN_MEMORY = 6 * 1024 * 1024; // Docker refuses smaller limits
/** What Memory and Disk take, in words for a message. */
const SIZE_UNITS = 'bytes, or a size as Docker writes it: "64m", "512k", "1g"';

const validPort = (text: string): boolean => {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65535 && String(port) === text;
};

export const string =
  (pattern?: RegExp, expected?: string, max = 4096): Check =>
  (value, path) => {
    if (typeof value !== 'string') return `${path}: expected a string, got ${describe(value)}`;
    if (value.length > max) return `${path}: at most ${max} characters, got ${value.length}`;
    if (pattern && value !== '' && !pattern.test(value)) {
      return `${path}: ${describe(value)} is not ${expected}`;
    }
    return undefined;
  };

export const number =
  (min: number, max: number, integer: boolean, unit: string): Check =>
  (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return `${path}: expected ${integer ? 'an integer' : 'a number'} (${unit}), got ${describe(value)}`;
    }
    if (integer && !Number.isInteger(value)) return `${path}: expected a whole number of ${unit}, got ${value}`;
    if (value < min || value > max) return `${path}: ${value} is out of range ${min}…${max} (${unit})`;
    return undefined;
  };

export const oneOf =
  (options: readonly string[]): Check =>
  (value, path) =>
    typeof value === 'string' && options.includes(value)
      ? undefined
      : `${path}: expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${describe(value)}`;

/** Days in each month of a common year. */
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A real calendar date (proleptic Gregorian, as Date counts): Date.parse
 * quietly turns 2026-02-30 into March 2. Arithmetic, not a Date: every record
 * read carries several times, and a listing reads thousands of records.
 */
const realDate = (text: string): boolean => {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS[month - 1]! + (leap ? 1 : 0);
};

export const rfc3339: Check = (value, path) =>
  typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value)) && realDate(value)
    ? undefined
    : `${path}: expected an RFC 3339 time like "2026-01-02T15:04:05Z", got ${describe(value)}`;

export const nullable =
  (check: Check): Check =>
  (value, path) =>
    value === null ? undefined : check(value, path);

const stringList =
  (pattern: RegExp, expected: string): Check =>
  (value, path) => {
    if (!Array.isArray(value)) return `${path}: expected a list of strings, got ${describe(value)}`;
    if (value.length > 256) return `${path}: at most 256 entries, got ${value.length}`;
    for (const [i, item] of value.entries()) {
      const problem = string(pattern, expected)(item, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };

/** `{"7777/tcp": V}` maps; `entry` checks each V. */
const portMap =
  (entry: Check): Check =>
  (value, path) => {
    if (!isObject(value)) return `${path}: expected an object keyed by "PORT/PROTO" like "7777/tcp", got ${describe(value)}`;
    for (const [key, item] of Object.entries(value)) {
      const match = PORT_KEY.exec(key);
      if (!match || !validPort(match[1]!)) {
        return `${path}: key ${JSON.stringify(key)} is not "PORT/PROTO" with PORT 1…65535 and PROTO tcp, udp or sctp`;
      }
      const problem = entry(item, `${path}[${JSON.stringify(key)}]`);
      if (problem) return problem;
    }
    return undefined;
  };

const emptyObject: Check = (value, path) => (isObject(value) && Object.keys(value).length === 0 ? undefined : `${path}: expected {}, got ${describe(value)}`);

const hostPort: Check = (value, path) =>
  typeof value === 'string' && (value === '' || validPort(value))
    ? undefined
    : `${path}: expected a host port as a string like "7777" (or "" to let Docker pick), got ${describe(value)}`;

const bindingList: Check = (value, path) =>
  Array.isArray(value) && value.every((b) => isObject(b) && typeof b['HostIp'] === 'string' && typeof b['HostPort'] === 'string')
    ? undefined
    : `${path}: expected a list of {"HostIp": string, "HostPort": string}, got ${describe(value)}`;

/** Placement constraints: each one parses (src/vocabulary/constraint.ts). */
const constraints: Check = (value, path) => {
  if (!Array.isArray(value)) return `${path}: expected a list of constraints like ["zone==a", "disk in (ssd,nvme)"], got ${describe(value)}`;
  if (value.length > MAX_SET) return `${path}: at most ${MAX_SET} constraints, got ${value.length}`;
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string') return `${path}[${i}]: expected a string like "zone==a", got ${describe(item)}`;
    const parsed = parseConstraint(item);
    if (typeof parsed === 'string') return `${path}[${i}]: ${parsed}`;
  }
  return undefined;
};

const labelKey: Check = (value, path) =>
  typeof value !== 'string'
    ? `${path}: expected a label key like "zone", got ${describe(value)}`
    : value === ''
      ? undefined
      : keyProblem(value) && `${path}: ${keyProblem(value)}`;

export const list: Check = (value, path) => (Array.isArray(value) ? undefined : `${path}: expected a list, got ${describe(value)}`);

/**
 * Every Task key with its check. `owned` keys are the server's: accepted when
 * well-typed, then ignored, because a client cannot set them.
 */
export const taskSchema: Record<keyof Task, { check: Check; owned?: true }> = {
  ID: { check: string(TASK_ID, 'an id of 1…128 letters, digits, "_", "." or "-" (and not "." or "..")', 128) },
  Name: { check: string(NAME, 'a container name: 2…128 of letters, digits, "_", "." or "-", starting with a letter or digit', 128) },
  Image: { check: string(IMAGE, 'an image reference like "strm/helloworld-http" or "registry:5000/team/app:1.2"', 512) },
  State: { check: number(0, 4, true, 'a State 0…4') },
  Cpu: { check: number(0, 1024, false, 'CPUs: 1.5 (or "1.5") is one and a half cores') },
  Memory: {
    check: (value, path) =>
      number(0, Number.MAX_SAFE_INTEGER, true, SIZE_UNITS)(value, path) ??
      ((value as number) > 0 && (value as number) < MIN_MEMORY
        ? `${path}: ${value} bytes is below Docker's minimum of ${MIN_MEMORY} (6 MiB); use 0 for no limit`
        : undefined),
  },
  Disk: { check: number(0, Number.MAX_SAFE_INTEGER, true, SIZE_UNITS) },
  ExposedPorts: { check: nullable(portMap(emptyObject)) },
  PortBindings: { check: nullable(portMap(hostPort)) },
  RestartPolicy: { check: oneOf(restartPolicies) },
  HealthCheck: { check: string(/^\/[\x21-\x7e]*$/, 'a URL path starting with "/", like "/health"', 1024) },
  Env: { check: stringList(/^[^=\0]+=[^\0]*$/, 'a "KEY=value" entry') },
  Cmd: { check: stringList(/^[^\0]*$/, 'an argument without NUL bytes') },
  Mounts: { check: checkMounts },
  Constraints: { check: constraints },
  Spread: { check: labelKey },
  ContainerID: { check: string(), owned: true },
  HostPorts: { check: nullable(portMap(bindingList)), owned: true },
  StartTime: { check: rfc3339, owned: true },
  FinishTime: { check: rfc3339, owned: true },
  RestartCount: { check: number(0, Number.MAX_SAFE_INTEGER, true, 'restarts'), owned: true },
  StateName: { check: string(), owned: true },
  SubmitTime: { check: rfc3339, owned: true },
  Worker: { check: string(), owned: true },
  ExitCode: { check: nullable(number(-1e9, 1e9, true, 'an exit code')), owned: true },
  Reason: { check: string(), owned: true },
  Events: { check: list, owned: true },
  Placement: { check: string(undefined, undefined, 256), owned: true },
  Version: { check: number(0, Number.MAX_SAFE_INTEGER, true, 'a version'), owned: true },
  RestartDue: { check: rfc3339, owned: true },
  Service: { check: string(undefined, undefined, 128), owned: true },
  Slot: { check: number(0, 1_000_000, true, 'a slot'), owned: true },
  ServiceVersion: { check: number(0, Number.MAX_SAFE_INTEGER, true, 'a version'), owned: true },
};

const eventSchema: Record<Exclude<keyof TaskEvent, 'Task'>, Check> = {
  ID: string(undefined, undefined, 128),
  State: number(0, 4, true, 'a State 0…4'),
  Timestamp: rfc3339,
};

const known = (keys: object): string => Object.keys(keys).join(', ');

/** The keys of `value` that `schema` does not know, each in words, with the key likely meant when one is near. */
export function checkKeys(value: Record<string, unknown>, schema: object, path: string): string[] {
  return Object.keys(value)
    .filter((key) => !Object.hasOwn(schema, key))
    .map((key) => {
      const meant = closest(key, Object.keys(schema));
      return `${path}${JSON.stringify(key)} is not a known key${meant ? `; did you mean ${JSON.stringify(meant)}?` : ''} (known keys: ${known(schema)})`;
    });
}

export interface ParseOptions {
  /**
   * Id for a task or event that has none. By default a task gets a UUID (docs/spec.md §1:
   * the book's worker and CLI parse task IDs as UUIDs) and an event a nanoid.
   */
  newId?: () => string;
  /** A service's template may say how its copies spread; a task of its own has no copies to spread. */
  spread?: boolean;
}

/** Validates a Task object from a request and returns the task to record (State Pending). */
export function parseTask(given: unknown, options: ParseOptions = {}, path = 'Task'): Task {
  if (!isObject(given)) throw new ValidationError(`${path}: expected an object, got ${describe(given)}`);
  const value = withUnits(given);
  const problems = checkKeys(value, taskSchema, `${path}: `);
  for (const [key, field] of Object.entries(taskSchema)) {
    if (value[key] === undefined) continue;
    const problem = field.check(value[key], `${path}.${key}`);
    if (problem) problems.push(problem);
  }
  // A copy a manager sends its worker names its service, and keeps its Spread.
  const copy = typeof value['Service'] === 'string' && value['Service'] !== '';
  if (!options.spread && !copy && value['Spread'] !== undefined && value['Spread'] !== '') {
    problems.push(`${path}.Spread: only a service's copies spread (docs/spec.md §9); a task of its own runs once, so leave Spread out`);
  }
  if (typeof value['Image'] !== 'string' || value['Image'] === '') {
    problems.push(`${path}.Image: required, the image to run, like "strm/helloworld-http"`);
  }
  const exposed = { ...(value['ExposedPorts'] as object | null), ...(value['PortBindings'] as object | null) };
  if (typeof value['HealthCheck'] === 'string' && value['HealthCheck'] !== '' && Object.keys(exposed).length === 0) {
    problems.push(`${path}.HealthCheck: needs a port to call; add one to ExposedPorts, like {"7777/tcp": {}}`);
  }
  if (problems.length > 0) throw new ValidationError(problems.join('; '));

  const id = (value['ID'] as string | undefined) || (options.newId ?? randomUUID)();
  const fields: Partial<Task> = {};
  for (const [key, field] of Object.entries(taskSchema)) {
    if (!field.owned && value[key] !== undefined) (fields as Record<string, unknown>)[key] = value[key];
  }
  if (fields.Mounts) fields.Mounts = readMounts(fields.Mounts as unknown as Record<string, unknown>[]);
  return newTask({
    ...fields,
    ID: id,
    // None given: the manager or worker that takes the task names it (machines/names.ts).
    Name: (value['Name'] as string | undefined) ?? '',
    Image: value['Image'] as string,
    RestartPolicy: (value['RestartPolicy'] as RestartPolicy | undefined) ?? '',
    State: 0,
  });
}

/** Validates a POSTed TaskEvent (docs/spec.md §1). Its State numbers are accepted but do not change its meaning. */
export function parseTaskEvent(body: unknown, options: ParseOptions = {}): TaskEvent {
  if (!isObject(body)) {
    throw new ValidationError(`body: expected a TaskEvent object like {"Task": {"Image": "strm/helloworld-http"}}, got ${describe(body)}`);
  }
  const problems = checkKeys(body, { ...eventSchema, Task: true }, '');
  for (const [key, check] of Object.entries(eventSchema)) {
    if (body[key] === undefined) continue;
    const problem = check(body[key], key);
    if (problem) problems.push(problem);
  }
  if (body['Task'] === undefined) problems.push('Task: required, the task to run, like {"Image": "strm/helloworld-http"}');
  let task: Task | undefined;
  try {
    if (body['Task'] !== undefined) task = parseTask(body['Task'], options);
  } catch (error) {
    problems.push((error as ValidationError).message);
  }
  if (problems.length > 0 || !task) throw new ValidationError(problems.join('; '));
  return {
    ID: (body['ID'] as string | undefined) || (options.newId ?? nanoid)(),
    State: (body['State'] as number | undefined) ?? 0,
    Timestamp: (body['Timestamp'] as string | undefined) ?? '',
    Task: task,
  };
}
