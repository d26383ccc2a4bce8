// A service's copies as its machine sees them: the few facts of each task
// record that its decisions need (docs/spec.md §9). The manager reports every
// change of a copy's record; this module turns it into a Copy and answers the
// questions the rollout asks: is it live, is it serving, has it counted as
// healthy, has it failed.
import type { StateName, Task } from '../../src/vocabulary/task.js';
import type { Service } from '../../src/vocabulary/service.js';

/** What a service keeps of each of its copies. */
export interface Copy {
  ID: string;
  Slot: number;
  /** The service version it runs. */
  Version: number;
  StateName: StateName;
  /** When the manager took it (RFC 3339): its HealthyDeadline runs from here. */
  Submitted: string;
  /** Since when it has been Running and healthy ("" while it is not): its MinHealthy runs from here. */
  HealthySince: string;
  RestartCount: number;
  /** A stop of it has been asked and not yet carried out. */
  Stopping: boolean;
  Worker: string;
  /** Where a client reaches its first exposed port (null until it has one). */
  Endpoint: { HostIp: string; HostPort: string } | null;
}

/** A copy record as the manager reports it: the task, and whether a stop of it is owed. */
export interface CopyReport {
  task: Task;
  stopping: boolean;
}

/**
 * When the current run of a task began to count as healthy: its first pass
 * after it started (or after its worker restarted, which checked nothing
 * while it was away), or its start without a check.
 */
function healthySince(task: Task): string {
  if (task.StateName !== 'running') return '';
  const started = task.Events.findLastIndex((e) => e.Type === 'Started' || e.Type === 'Worker Restarted');
  if (task.HealthCheck === '') return started >= 0 ? task.Events[started]!.Time : task.StartTime;
  const passed = task.Events.findIndex((e, i) => i > started && e.Type === 'Healthy');
  // A failed check after the pass that reached the threshold makes the task Failed; one below it leaves no entry.
  return passed >= 0 ? task.Events[passed]!.Time : '';
}

/** The host address of a task's first exposed port: what a load balancer in front of the service calls. */
function endpointOf(task: Task): Copy['Endpoint'] {
  const port = Object.keys(task.ExposedPorts ?? task.PortBindings ?? {})[0];
  const bindings = port === undefined ? undefined : task.HostPorts?.[port];
  const binding = bindings?.find((b) => b.HostIp === '0.0.0.0' || b.HostIp === '127.0.0.1') ?? bindings?.[0];
  return binding ? { HostIp: binding.HostIp, HostPort: binding.HostPort } : null;
}

/**
 * A copy as a service that has watched its copies since `watching` knows it.
 * Its healthy time counts from then at the earliest: a record restored at a
 * start (of the manager, or of a new leader) says how the copy stood when it
 * was written, not what happened while no manager heard its worker, and the
 * worker's listing that corrects it may come after MinHealthy has run out.
 * Without `watching`, as the record says.
 */
export function copyOf({ task, stopping }: CopyReport, watching?: string): Copy {
  const since = healthySince(task);
  return {
    ID: task.ID,
    Slot: task.Slot,
    Version: task.ServiceVersion,
    StateName: task.StateName,
    Submitted: task.SubmitTime,
    HealthySince: since !== '' && watching !== undefined && Date.parse(since) < Date.parse(watching) ? watching : since,
    RestartCount: task.RestartCount,
    Stopping: stopping,
    Worker: task.Worker,
    Endpoint: endpointOf(task),
  };
}

/** Holds a place of the service: not Completed, not Failed for good, and no stop asked. */
export const isLive = (copy: Copy) => copy.StateName !== 'completed' && copy.StateName !== 'failed' && !copy.Stopping;

/** Running and healthy: it takes requests (a copy being stopped is taken out first). */
export const isServing = (copy: Copy) => copy.HealthySince !== '' && !copy.Stopping;

const elapsed = (since: string, at: string) => Date.parse(at) - Date.parse(since);

/** Running and healthy for `minHealthyMs` at `at`: it counts toward its deployment. */
export const isReady = (copy: Copy, minHealthyMs: number, at: string) => copy.HealthySince !== '' && elapsed(copy.HealthySince, at) >= minHealthyMs;

/** It failed before it counted: its container ended or failed its check (Failed, waiting to restart, or restarted). */
export const hasFailed = (copy: Copy) => copy.StateName === 'failed' || copy.StateName === 'restarting' || copy.RestartCount > 0;

/** Past its HealthyDeadline at `at` (whether it counted by then is the caller's question). */
export const isOverdue = (copy: Copy, deadlineMs: number, at: string) => elapsed(copy.Submitted, at) > deadlineMs;

/**
 * The ID of a service's copy number `n`: the service's UUID with its last
 * group replaced by the number, so copies have UUIDs (the book's clients
 * parse task IDs as UUIDs), unique, and made without a random draw.
 */
export const copyId = (service: Pick<Service, 'Uid'>, n: number): string => `${service.Uid.slice(0, 24)}${n.toString(16).padStart(12, '0')}`;

/**
 * The container name of copy number `n` in `slot`: `web.0.7.ade5ed`, as Swarm
 * names a service's tasks `web.1.<id>`. The end is the service's own (from its
 * UUID): a container name is unique on an engine, and another service called
 * web (another installation's, or one deleted and created again) has others.
 */
export const copyName = (service: Pick<Service, 'Name' | 'Uid'>, slot: number, n: number): string => `${service.Name}.${slot}.${n}.${service.Uid.slice(0, 6)}`;

/** The endpoints of a service: its serving copies, in slot order. */
export function endpoints(copies: Iterable<Copy>, draining: ReadonlySet<string>): { Task: string; Worker: string; HostIp: string; HostPort: string }[] {
  return [...copies]
    .filter((c) => isServing(c) && c.Endpoint !== null && !draining.has(c.ID))
    .sort((a, b) => a.Slot - b.Slot || a.ID.localeCompare(b.ID))
    .map((c) => ({ Task: c.ID, Worker: c.Worker, HostIp: c.Endpoint!.HostIp, HostPort: c.Endpoint!.HostPort }));
}
