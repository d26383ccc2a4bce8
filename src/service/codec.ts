// What clients send to create or change a service (docs/spec.md §9), checked
// as strictly as a task (src/task/codec.ts): an unknown key or a bad value is
// refused, naming the key, the value and what was expected. The task template
// is a task without an ID or a Name, checked by the task codec itself.
import { parseDuration } from '../vocabulary/duration.js';
import {
  DEFAULT_SHUTDOWN_DELAY,
  DEFAULT_UPDATE,
  failureActions,
  updateOrders,
  type ServiceDefinition,
  type ServiceUpdate,
  type TaskTemplate,
} from '../vocabulary/service.js';
import { definitionKeys } from '../vocabulary/task.js';
import { checkKeys, describe, isObject, number, oneOf, parseTask, taskSchema, ValidationError, type Check } from '../task/codec.js';

/** A service name: a DNS label, since it names containers (`web.0.7`) and may one day name a host. */
const SERVICE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** More copies than this is a typo, not a service for a handful of machines. */
export const MAX_COUNT = 1000;
const MAX_DELAY_MS = 5 * 60_000;

export const serviceName: Check = (value, path) =>
  typeof value === 'string' && SERVICE_NAME.test(value)
    ? undefined
    : `${path}: expected a service name of 1…63 lowercase letters, digits and "-", starting and ending with a letter or digit, like "web", got ${describe(value)}`;

const count = number(0, MAX_COUNT, true, 'copies');

const duration =
  (max: number): Check =>
  (value, path) => {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) return `${path}: expected a duration like "10s", "500ms" or "5m", got ${describe(value)}`;
    return ms > max ? `${path}: at most ${max / 60_000}m, got ${JSON.stringify(value)}` : undefined;
  };

const updateChecks: Record<keyof ServiceUpdate, Check> = {
  Parallelism: number(1, MAX_COUNT, true, 'copies changed at a time'),
  Order: oneOf(updateOrders),
  MinHealthy: duration(60 * 60_000),
  HealthyDeadline: duration(24 * 60 * 60_000),
  OnFailure: oneOf(failureActions),
};

/** A label key its copies spread over ("" or left out: over workers). */
const spreadKey: Check = (value, path) => taskSchema.Spread.check(value, path);

const topChecks = {
  Name: serviceName,
  Count: count,
  Task: undefined,
  Update: undefined,
  ShutdownDelay: duration(MAX_DELAY_MS),
  Spread: spreadKey,
} as const;

function parseUpdate(value: unknown, problems: string[]): ServiceUpdate {
  if (value === undefined) return DEFAULT_UPDATE;
  if (!isObject(value)) {
    problems.push(`Update: expected an object like {"Parallelism": 1, "Order": "start-first"}, got ${describe(value)}`);
    return DEFAULT_UPDATE;
  }
  problems.push(...checkKeys(value, updateChecks, 'Update: '));
  for (const [key, check] of Object.entries(updateChecks)) {
    const problem = value[key] === undefined ? undefined : check(value[key], `Update.${key}`);
    if (problem) problems.push(problem);
  }
  const update = { ...DEFAULT_UPDATE, ...(value as Partial<ServiceUpdate>) };
  const min = parseDuration(update.MinHealthy);
  const deadline = parseDuration(update.HealthyDeadline);
  if (min !== undefined && deadline !== undefined && deadline <= min) {
    problems.push(`Update.HealthyDeadline: ${update.HealthyDeadline} must be longer than MinHealthy (${update.MinHealthy}), or no copy could ever count`);
  }
  return update;
}

/** The template, with the service's Spread written into it: every copy carries it to the scheduler. */
function parseTemplate(value: unknown, spread: unknown, problems: string[]): TaskTemplate | undefined {
  if (!isObject(value)) {
    problems.push(`Task: required, the task every copy runs, like {"Image": "strm/helloworld-http"}, got ${describe(value)}`);
    return undefined;
  }
  for (const key of ['ID', 'Name'] as const) {
    if (value[key] !== undefined) problems.push(`Task.${key}: a service names its copies itself (<service>.<slot>.<n>.<id>); leave ${key} out`);
  }
  try {
    if (spread !== undefined && value['Spread'] !== undefined && value['Spread'] !== spread) {
      problems.push(`Spread: ${describe(spread)} and Task.Spread ${describe(value['Spread'])} disagree; give one of them`);
    }
    const task = parseTask({ ...value, ID: undefined, Name: undefined, Spread: spread ?? value['Spread'] }, { newId: () => 'template', spread: true });
    const template: Record<string, unknown> = {};
    for (const key of definitionKeys) if (key !== 'Name') template[key] = task[key];
    return template as TaskTemplate;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(error.message);
    return undefined;
  }
}

/** Validates a service definition from a POST or PUT (docs/spec.md §9); `name` is the one in the path of a PUT. */
export function parseServiceDefinition(body: unknown, name?: string): ServiceDefinition {
  if (!isObject(body)) {
    throw new ValidationError(`body: expected a service like {"Name": "web", "Count": 3, "Task": {"Image": "strm/helloworld-http"}}, got ${describe(body)}`);
  }
  const problems = checkKeys(body, topChecks, '');
  for (const key of ['Name', 'Count', 'ShutdownDelay', 'Spread'] as const) {
    const problem = body[key] === undefined ? undefined : topChecks[key](body[key], key);
    if (problem) problems.push(problem);
  }
  if (body['Name'] === undefined && name === undefined) problems.push('Name: required, the service\'s name, like "web"');
  if (name !== undefined && body['Name'] !== undefined && body['Name'] !== name) {
    problems.push(`Name: ${describe(body['Name'])} is not the service of this path (${JSON.stringify(name)}); a service cannot be renamed`);
  }
  if (body['Count'] === undefined) problems.push('Count: required, how many copies to keep running, like 3');
  const template = parseTemplate(body['Task'], typeof body['Spread'] === 'string' ? body['Spread'] : undefined, problems);
  const update = parseUpdate(body['Update'], problems);
  if (problems.length > 0 || !template) throw new ValidationError(problems.join('; '));
  return {
    Name: (body['Name'] as string | undefined) ?? name!,
    Count: body['Count'] as number,
    Task: template,
    Update: update,
    ShutdownDelay: (body['ShutdownDelay'] as string | undefined) ?? DEFAULT_SHUTDOWN_DELAY,
  };
}

/** Validates `{"Count": N}` of POST /services/{name}/scale. */
export function parseScale(body: unknown): number {
  if (!isObject(body)) throw new ValidationError(`body: expected {"Count": N}, got ${describe(body)}`);
  const problems = checkKeys(body, { Count: true }, '');
  const problem = count(body['Count'], 'Count');
  if (body['Count'] === undefined) problems.push('Count: required, how many copies to keep running, like 5');
  else if (problem) problems.push(problem);
  if (problems.length > 0) throw new ValidationError(problems.join('; '));
  return body['Count'] as number;
}
