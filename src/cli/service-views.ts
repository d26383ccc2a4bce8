// What `cube service` prints, built from API data (docs/spec.md §9) by pure
// functions: the tables of `ls` and `ps`, the deployment under `ps`, and the
// lines of a rollout that `create`, `update` and `rollback` follow.
import { copyOf } from '../../machines/service/copies.js';
import type { Deployment, Service } from '../vocabulary/service.js';
import type { Task } from '../vocabulary/task.js';
import { ago, elapsed, isZeroTime, shortId, stateLabel, truncate } from './format.js';
import { fields, screenTable, table } from './table.js';
import { historyLines, spinnerFrames } from './views.js';

export const noServicesMessage = 'no services yet; create one with: cube service create -f service.json\n';

/** The image of the version the service wants. */
const imageOf = (service: Service) => service.Versions.find((v) => v.Version === service.Version)?.Task.Image ?? '-';

/** DEPLOYMENT of `cube service ls`: the last rollout's version, state and progress ("v2 running 1/3", "v2 rolled back to v1"). */
export function deploymentCell(d: Deployment | null): string {
  if (!d) return '-';
  const progress = `${d.Healthy}/${d.Count}`;
  switch (d.State) {
    case 'running':
      return `v${d.Version} running ${progress}`;
    case 'rolling-back':
      return `v${d.Version} rolling back to v${d.From} ${progress}`;
    case 'rolled-back':
      return `v${d.Version} rolled back to v${d.From}`;
    case 'paused':
      return `v${d.Version} paused at ${progress}`;
    default:
      return `v${d.Version} ${d.State}`;
  }
}

/** `cube service ls`: NAME, VERSION, STATE, COPIES (healthy/count), DEPLOYMENT, IMAGE. */
export function serviceTable(services: readonly Service[]): string {
  if (services.length === 0) return noServicesMessage;
  const rows = services.map((s) => [s.Name, String(s.Version), s.StateName, `${s.Healthy}/${s.Count}`, deploymentCell(s.Deployment), imageOf(s)]);
  return screenTable(['NAME', 'VERSION', 'STATE', 'COPIES', 'DEPLOYMENT', 'IMAGE'], rows, [5], false);
}

/** `cube service inspect`: the service's fields, its rollout settings, the versions it keeps, then its history. */
export function serviceDetail(service: Service, now: number = Date.now()): string {
  const wanted = service.Versions.find((v) => v.Version === service.Version);
  const update = wanted?.Update;
  const pairs: [string, string][] = [
    ['Name', service.Name],
    ['State', service.StateName],
    ['Version', `${service.Version}${service.Stable > 0 ? ` (last stable: ${service.Stable})` : ''}`],
    ['Copies', `${service.Healthy}/${service.Count} healthy, ${service.Running} running`],
    ['Image', imageOf(service)],
    ['Created', isZeroTime(service.Created) ? '-' : `${ago(service.Created, now)} (${service.Created})`],
    ['ID', `${service.Uid} (its copies' IDs start with it)`],
  ];
  if (wanted?.Task.HealthCheck) pairs.push(['Health check', wanted.Task.HealthCheck]);
  if (update) {
    pairs.push([
      'Update',
      `${update.Parallelism} at a time, ${update.Order}, healthy for ${update.MinHealthy} within ${update.HealthyDeadline}, on failure ${update.OnFailure}`,
    ]);
  }
  if (wanted) pairs.push(['Shutdown delay', wanted.ShutdownDelay]);
  if (service.Deployment) pairs.push(['Deployment', deploymentLine(service.Deployment, now)]);
  if (service.Deployment?.Reason) pairs.push(['Reason', service.Deployment.Reason]);
  const versions = table(
    ['VERSION', 'CREATED', 'IMAGE'],
    service.Versions.map((v) => [String(v.Version), ago(v.Created, now), v.Task.Image]),
  );
  return `${fields(pairs)}
Versions (oldest first):
${versions}
History (oldest first):
${historyLines(service.Events, now)}`;
}

/**
 * HEALTH of a copy, as its service counts it: `healthy` (Running, and its
 * check passed since it started, or it has none), `starting` (Running, its
 * check not passed yet), `unhealthy` (it failed its check), `-` (not running).
 */
export function healthOf(task: Task): string {
  if (task.StateName === 'running') return copyOf({ task, stopping: false }).HealthySince ? 'healthy' : 'starting';
  const started = task.Events.findLastIndex((e) => e.Type === 'Started');
  const unhealthy = task.Events.findLastIndex((e) => e.Type === 'Unhealthy');
  return (task.StateName === 'failed' || task.StateName === 'restarting') && unhealthy > started ? 'unhealthy' : '-';
}

/** `cube service ps`: ID (12 characters, all with `full`), NAME, SLOT, VERSION, STATE, HEALTH, WORKER, by slot, older versions first. */
export function copiesTable(tasks: readonly Task[], full = false): string {
  const sorted = [...tasks].sort((a, b) => a.Slot - b.Slot || a.ServiceVersion - b.ServiceVersion || a.SubmitTime.localeCompare(b.SubmitTime));
  const rows = sorted.map((t) => [full ? t.ID : shortId(t), t.Name, String(t.Slot), String(t.ServiceVersion), stateLabel(t), healthOf(t), t.Worker || '-']);
  return screenTable(['ID', 'NAME', 'SLOT', 'VERSION', 'STATE', 'HEALTH', 'WORKER'], rows, [6], full);
}

/** What `cube service ps` says when there is no copy to show. */
export function noCopiesMessage(service: Service, all: boolean): string {
  const scale = service.Count === 0 ? `; it is scaled to 0: cube service scale ${service.Name}=N starts N` : '';
  return `service ${service.Name} has no copies${all ? '' : ' that are not completed (-a shows those too)'}${scale}\n`;
}

/** "version 2 (from 1): rolled back to version 1 12s ago": where the last rollout is. */
export function deploymentLine(d: Deployment, now: number = Date.now()): string {
  const progress = `${d.Healthy}/${d.Count} healthy`;
  const what = `version ${d.Version}${d.From > 0 ? ` (from ${d.From})` : ''}`;
  switch (d.State) {
    case 'running':
      return `${what}: running, ${progress}, started ${ago(d.Started, now)}`;
    case 'rolling-back':
      return `${what}: rolling back to version ${d.From}, ${progress}, since ${ago(d.Changed, now)}`;
    case 'rolled-back':
      return `${what}: rolled back to version ${d.From} ${ago(d.Finished, now)}`;
    case 'paused':
      return `${what}: paused ${ago(d.Finished, now)} at ${progress}`;
    default:
      return `${what}: ${d.State} ${ago(d.Finished, now)}`;
  }
}

/**
 * Under the copies of `cube service ps`: the last deployment, and when it did
 * not simply succeed (it runs, rolled back, paused or failed), why and its
 * history since it began.
 */
export function deploymentDetail(service: Service, now: number = Date.now()): string {
  const d = service.Deployment;
  if (!d) return '';
  let text = `\nDeployment: ${deploymentLine(d, now)}\n`;
  if (d.State === 'succeeded') return text;
  if (d.Reason) text += `Reason: ${d.Reason}\n`;
  return `${text}History (oldest first):\n${historyLines(
    service.Events.filter((e) => e.Time >= d.Started),
    now,
  )}`;
}

/** Whether a rollout is under way: the service deploys or rolls back. */
export const rollingOut = (service: Service) => service.StateName === 'deploying' || service.StateName === 'rolling-back';

/** Where a rollout stands, for the progress lines of a follow: "deploying version 2 (from 1): 1/3 healthy, 4 copies running"; "" when none runs. */
export function progressText(service: Service): string {
  const d = service.Deployment;
  if (!d || !rollingOut(service)) return '';
  const progress = `${d.Healthy}/${d.Count} healthy, ${service.Running} ${service.Running === 1 ? 'copy' : 'copies'} running`;
  if (service.StateName === 'rolling-back') return `rolling back to version ${service.Version}: ${progress}`;
  return `deploying version ${d.Version}${d.From > 0 ? ` (from ${d.From})` : ''}: ${progress}`;
}

/** The line a follow rewrites in place on a terminal: spinner, progress, time so far, newest event. */
export function rolloutLiveLine(service: Service | undefined, frame: number, elapsedMs: number, columns: number): string {
  const spinner = spinnerFrames[frame % spinnerFrames.length]!;
  const news = service?.Events.at(-1)?.Message ?? '';
  const progress = (service && progressText(service)) || service?.StateName || 'asked';
  return truncate(`${spinner} ${progress}  ${elapsed(elapsedMs)}  ${news}`.trimEnd(), Math.max(10, columns - 1));
}

/** What a follow waits for: a rollout (create, update) to succeed, or a rollback to be back. */
export type Goal = 'rollout' | 'rollback';

/** How a followed rollout ended: the exit code and the line that says so, with what to do next. */
export interface Outcome {
  code: number;
  line: string;
}

/** The outcome of a rollout that is over (the service is no longer deploying or rolling back). */
export function outcomeOf(service: Service, goal: Goal, elapsedMs: number): Outcome {
  const name = service.Name;
  const d = service.Deployment;
  const healthy = `${service.Healthy}/${service.Count} copies healthy`;
  const fix = `its copies: cube service ps ${name}; once the definition is fixed: cube service update ${name} -f FILE`;
  switch (d?.State) {
    case 'succeeded':
      return { code: 0, line: `service ${name} runs version ${service.Version}: ${healthy}, after ${elapsed(elapsedMs)}` };
    case 'rolled-back':
      if (goal === 'rollback') return { code: 0, line: `service ${name} is back on version ${service.Version}: ${healthy}, after ${elapsed(elapsedMs)}` };
      return { code: 1, line: `service ${name} rolled back to version ${service.Version}: version ${d.Version} failed: ${d.Reason}; ${fix}` };
    case 'paused':
      return {
        code: 1,
        line: `service ${name} paused the rollout of version ${d.Version} at ${d.Healthy}/${d.Count} healthy: ${d.Reason}; cube service rollback ${name} goes back to version ${d.From}, cube service update ${name} -f FILE rolls out a fixed definition`,
      };
    case 'failed':
      if (d.From > 0 && service.Version === d.From) return { code: 1, line: `service ${name} failed rolling back to version ${d.From}: ${d.Reason}; ${fix}` };
      return { code: 1, line: `service ${name} failed: ${d.Reason} (version ${d.Version}, with no earlier version to go back to); ${fix}` };
    default:
      return { code: 0, line: `service ${name} is ${service.StateName}: ${healthy}` };
  }
}

/** What a command did, from the history entry it added: "service web updated version 2: …". */
export function commandLine(service: Service): string {
  const last = service.Events.at(-1);
  return `service ${service.Name}${last ? ` ${last.Type.toLowerCase()} ${last.Message}` : ''}`;
}

/** The outcome of a command's answer that needs no following (nothing to roll out, or over at once); undefined while a rollout runs. */
export function answeredOutcome(service: Service, goal: Goal): Outcome | undefined {
  if (rollingOut(service)) return undefined;
  const last = service.Events.at(-1);
  if (last?.Type === 'Scaled') {
    return { code: 0, line: `service ${service.Name} already runs this definition (version ${service.Version}): nothing to roll out; scaled ${last.Message}` };
  }
  return outcomeOf(service, goal, 0);
}

/**
 * How a followed rollout stands at a change of its service: over (an
 * outcome), going on (undefined), or replaced by another command's (a
 * deployment that began at another time).
 */
export function judge(service: Service, followed: Service, goal: Goal, elapsedMs: number): Outcome | undefined {
  if (service.Deployment?.Started !== followed.Deployment?.Started) {
    const last = service.Events.at(-1);
    const why = last ? `: ${last.Type}: ${last.Message}` : '';
    return { code: 1, line: `the rollout of service ${service.Name} was replaced by another${why}; cube service ps ${service.Name} shows where it is` };
  }
  return rollingOut(service) ? undefined : outcomeOf(service, goal, elapsedMs);
}
