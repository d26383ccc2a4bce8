// A service record as a store gives it back (SQLite, etcd), checked before the
// manager uses it, like a task record (src/task/reports.ts): a field of the
// wrong type is refused naming it, so a damaged record is named in the log
// and left in the store, and the rest is served. Each version's definition is
// read with the request codec, which refuses what no client could have sent.
import { serviceStateNames, type Deployment, type Service, type ServiceVersion } from '../vocabulary/service.js';
import type { TaskHistoryEntry } from '../vocabulary/task.js';
import { describe, isObject, list, number, oneOf, string, ValidationError, type Check } from '../task/codec.js';
import { parseServiceDefinition, serviceName } from './codec.js';

const count = number(0, Number.MAX_SAFE_INTEGER, true, 'a count');
const text = string(undefined, undefined, 4096);
const deploymentStates = ['running', 'succeeded', 'rolling-back', 'rolled-back', 'paused', 'failed'] as const;

const fields = (value: Record<string, unknown>, path: string, checks: Record<string, Check>): void => {
  for (const [key, check] of Object.entries(checks)) {
    const problem = check(value[key], `${path}.${key}`);
    if (problem) throw new ValidationError(problem);
  }
};

function readVersion(value: unknown, name: string, path: string): ServiceVersion {
  if (!isObject(value)) throw new ValidationError(`${path}: expected a version, got ${describe(value)}`);
  fields(value, path, { Version: count, Created: text });
  const definition = parseServiceDefinition({ Name: name, Count: 0, Task: value['Task'], Update: value['Update'], ShutdownDelay: value['ShutdownDelay'] });
  return {
    Version: value['Version'] as number,
    Task: definition.Task,
    Update: definition.Update,
    ShutdownDelay: definition.ShutdownDelay,
    Created: value['Created'] as string,
  };
}

function readDeployment(value: unknown, path: string): Deployment | null {
  if (value === null) return null;
  if (!isObject(value)) throw new ValidationError(`${path}: expected a deployment or null, got ${describe(value)}`);
  const checks = {
    Version: count,
    From: count,
    State: oneOf(deploymentStates),
    Started: text,
    Changed: text,
    Finished: text,
    Healthy: count,
    Count: count,
    Reason: text,
  };
  fields(value, path, checks);
  return Object.fromEntries(Object.keys(checks).map((key) => [key, value[key]])) as unknown as Deployment;
}

const history: Check = (value, path) =>
  list(value, path) ??
  ((value as unknown[]).every((e) => isObject(e) && ['Time', 'Type', 'Message'].every((k) => typeof e[k] === 'string'))
    ? undefined
    : `${path}: expected entries of {"Time", "Type", "Message"}`);

/** Reads a stored service record; throws ValidationError naming the field that is wrong. */
export function readServiceRecord(value: unknown, path = 'service'): Service {
  if (!isObject(value)) throw new ValidationError(`${path}: expected a service record, got ${describe(value)}`);
  fields(value, path, {
    Name: serviceName,
    Count: count,
    Version: count,
    Stable: count,
    StateName: oneOf(serviceStateNames),
    Running: count,
    Healthy: count,
    Created: text,
    Copies: count,
    Uid: string(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a UUID'),
    Revision: count,
    Versions: list,
    Succeeded: list,
    Events: history,
  });
  const name = value['Name'] as string;
  const versions = (value['Versions'] as unknown[]).map((v, i) => readVersion(v, name, `${path}.Versions[${i}]`));
  if (!versions.some((v) => v.Version === value['Version']))
    throw new ValidationError(`${path}.Versions: holds no version ${String(value['Version'])}, the one the service wants`);
  const succeeded = value['Succeeded'] as unknown[];
  if (!succeeded.every((v) => Number.isInteger(v))) throw new ValidationError(`${path}.Succeeded: expected a list of versions`);
  return {
    Name: name,
    Count: value['Count'] as number,
    Version: value['Version'] as number,
    Versions: versions,
    Stable: value['Stable'] as number,
    Succeeded: succeeded as number[],
    StateName: value['StateName'] as Service['StateName'],
    Deployment: readDeployment(value['Deployment'], `${path}.Deployment`),
    Running: value['Running'] as number,
    Healthy: value['Healthy'] as number,
    Created: value['Created'] as string,
    Events: (value['Events'] as TaskHistoryEntry[]).map(({ Time, Type, Message }) => ({ Time, Type, Message })),
    Copies: value['Copies'] as number,
    Uid: value['Uid'] as string,
    Revision: value['Revision'] as number,
  };
}
