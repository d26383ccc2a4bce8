// A service's record (docs/spec.md §9) and the ways it changes: created,
// given a new version, scaled, its deployment started, ended or rolled back.
// Pure functions from one record to the next; the machine decides when.
import { slotMounts } from '../../src/vocabulary/mounts.js';
import { parseDuration } from '../../src/vocabulary/duration.js';
import type { Deployment, DeploymentState, Service, ServiceDefinition, ServiceVersion } from '../../src/vocabulary/service.js';
import { newTask, type Task, type TaskHistoryEntry } from '../../src/vocabulary/task.js';
import { copyId, copyName } from './copies.js';
import type { RolloutPolicy } from './rollout.js';

/** How many history entries a service keeps. */
export const SERVICE_HISTORY_LIMIT = 30;
/** How many versions a service keeps (the stable one is always kept: a rollback needs it). */
export const VERSIONS_KEPT = 10;

/** What a user asks of a service that exists. */
export type ServiceCommand = { kind: 'update'; definition: ServiceDefinition } | { kind: 'scale'; count: number } | { kind: 'rollback' };

export const note = (service: Service, at: string, Type: string, Message: string): Service => {
  const Events: TaskHistoryEntry[] = [...service.Events, { Time: at, Type, Message }];
  return { ...service, Events: Events.slice(-SERVICE_HISTORY_LIMIT) };
};

const versionOf = (definition: ServiceDefinition, Version: number, at: string): ServiceVersion => ({
  Version,
  Task: definition.Task,
  Update: definition.Update,
  ShutdownDelay: definition.ShutdownDelay,
  Created: at,
});

const deployment = (Version: number, From: number, Count: number, at: string): Deployment => ({
  Version,
  From,
  State: 'running',
  Started: at,
  Changed: at,
  Finished: '',
  Healthy: 0,
  Count,
  Reason: '',
});

/** A new service: version 1, deploying. `uid` is a UUID drawn by whoever creates it. */
export function newService(definition: ServiceDefinition, uid: string, at: string): Service {
  return note(
    {
      Name: definition.Name,
      Count: definition.Count,
      Version: 1,
      Versions: [versionOf(definition, 1, at)],
      Stable: 0,
      Succeeded: [],
      StateName: 'deploying',
      Deployment: deployment(1, 0, definition.Count, at),
      Running: 0,
      Healthy: 0,
      Created: at,
      Events: [],
      Copies: 0,
      Uid: uid,
      Revision: 0,
    },
    at,
    'Created',
    `version 1: ${definition.Count} × ${definition.Task.Image}`,
  );
}

/** The version entry of `version` (every version a service wants is kept). */
export function versionEntry(service: Service, version = service.Version): ServiceVersion {
  const entry = service.Versions.find((v) => v.Version === version);
  if (!entry) throw new Error(`service ${service.Name} keeps no version ${version}`);
  return entry;
}

/** The policy a rollout of `version` follows, durations in milliseconds (the codec checked them). */
export function policyOf(service: Service, version = service.Version): RolloutPolicy {
  const { Update, ShutdownDelay } = versionEntry(service, version);
  return {
    parallelism: Update.Parallelism,
    order: Update.Order,
    minHealthyMs: parseDuration(Update.MinHealthy) ?? 0,
    healthyDeadlineMs: parseDuration(Update.HealthyDeadline) ?? 0,
    shutdownDelayMs: parseDuration(ShutdownDelay) ?? 0,
  };
}

/** Whether a definition asks for something other than the version running now (a PUT of the same one only scales). */
export function isNewDefinition(service: Service, definition: ServiceDefinition): boolean {
  const current = versionEntry(service);
  return (
    JSON.stringify([current.Task, current.Update, current.ShutdownDelay]) !== JSON.stringify([definition.Task, definition.Update, definition.ShutdownDelay])
  );
}

/** The versions to keep: the newest few, and any the service may still go back to. */
function kept(versions: ServiceVersion[], needed: number[]): ServiceVersion[] {
  const newest = versions.slice(-VERSIONS_KEPT);
  return versions.filter((v) => newest.includes(v) || needed.includes(v.Version));
}

/** A new version from a PUT: deployed from the version that was last healthy. */
export function withVersion(service: Service, definition: ServiceDefinition, at: string): Service {
  const version = Math.max(...service.Versions.map((v) => v.Version)) + 1;
  const next: Service = {
    ...service,
    Count: definition.Count,
    Version: version,
    Versions: kept([...service.Versions, versionOf(definition, version, at)], [service.Stable]),
    StateName: 'deploying',
    Deployment: deployment(version, service.Stable, definition.Count, at),
  };
  return note(next, at, 'Updated', `version ${version}: ${definition.Count} × ${definition.Task.Image}, rolled out from version ${service.Stable || 'none'}`);
}

export function scaled(service: Service, count: number, at: string): Service {
  const next = { ...service, Count: count, Deployment: service.Deployment && { ...service.Deployment, Count: count } };
  return note(next, at, 'Scaled', `from ${service.Count} to ${count} copies`);
}

/**
 * Where a user's rollback goes: during a deployment (or after one paused or
 * failed), the version that was healthy before it; from a stable service,
 * the version that succeeded before the one it runs. Undefined: nowhere.
 */
export function rollbackTarget(service: Service): number | undefined {
  if (service.StateName === 'rolling-back') return undefined;
  if (service.StateName !== 'stable') return service.Deployment?.From || undefined;
  const earlier = service.Succeeded.filter((v) => v < service.Version && service.Versions.some((kept) => kept.Version === v));
  return earlier.at(-1);
}

/** Why a command cannot be carried out now; undefined when it can. */
export function refusal(service: Service, command: ServiceCommand): string | undefined {
  if (command.kind !== 'rollback' || rollbackTarget(service) !== undefined) return undefined;
  if (service.StateName === 'rolling-back') return `service ${service.Name} is already rolling back to version ${service.Version}`;
  return `service ${service.Name} has no earlier version that was healthy to roll back to`;
}

/** The record once a command is carried out (refusal() said it can be). */
export function applyCommand(service: Service, command: ServiceCommand, at: string): Service {
  switch (command.kind) {
    case 'update':
      return isNewDefinition(service, command.definition) ? withVersion(service, command.definition, at) : scaled(service, command.definition.Count, at);
    case 'scale':
      return scaled(service, command.count, at);
    case 'rollback':
      return rollingBack(service, rollbackTarget(service)!, at, 'rollback asked by user');
  }
}

/** Starts going back to `target`: the deployment says so, and the service wants `target` again. */
export function rollingBack(service: Service, target: number, at: string, reason: string): Service {
  const from = service.Deployment && service.StateName !== 'stable' ? service.Deployment : deployment(service.Version, target, service.Count, at);
  const next: Service = {
    ...service,
    Version: target,
    StateName: 'rolling-back',
    Deployment: { ...from, From: target, State: 'rolling-back', Changed: at, Reason: reason, Count: service.Count, Healthy: 0 },
  };
  return note(next, at, 'Rolling Back', `to version ${target}: ${reason}`);
}

/** The deployment ended: succeeded (or rolled back), paused, or failed; the service's state follows. */
export function ended(service: Service, state: DeploymentState, at: string, reason = ''): Service {
  const stateName = state === 'succeeded' || state === 'rolled-back' ? 'stable' : state === 'paused' ? 'paused' : 'failed';
  const next: Service = {
    ...service,
    StateName: stateName,
    Deployment: service.Deployment && { ...service.Deployment, State: state, Changed: at, Finished: at, Reason: reason || service.Deployment.Reason },
  };
  const words: Record<string, string> = {
    succeeded: `version ${service.Version} is out: ${service.Count} healthy copies`,
    'rolled-back': `back on version ${service.Version}: ${service.Count} healthy copies`,
    paused: `version ${service.Deployment?.Version} paused: ${reason}`,
    failed: `version ${service.Deployment?.Version} failed: ${reason}`,
  };
  const type = { succeeded: 'Deployed', 'rolled-back': 'Rolled Back', paused: 'Paused', failed: 'Deployment Failed' }[state as string] ?? 'Deployment';
  return note(next, at, type, words[state] ?? reason);
}

/** The version that is now healthy becomes the one a rollback goes back to. */
export function rememberStable(service: Service): Service {
  return { ...service, Stable: service.Version, Succeeded: [...service.Succeeded.filter((v) => v !== service.Version), service.Version].slice(-VERSIONS_KEPT) };
}

/** The task of a new copy of `version` in `slot`: numbered with the next copy number, which the record then counts. */
export function newCopy(service: Service, slot: number, at: string): { service: Service; task: Task } {
  const n = service.Copies;
  const template = versionEntry(service).Task;
  const task = newTask({
    ...template,
    ID: copyId(service, n),
    Name: copyName(service, slot, n),
    Mounts: slotMounts(template.Mounts, slot),
    Service: service.Name,
    Slot: slot,
    ServiceVersion: service.Version,
    SubmitTime: at,
  });
  return { service: { ...service, Copies: n + 1 }, task };
}
