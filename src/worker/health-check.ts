// The health check of a running task (docs/spec.md §6): GET <path> on the host port
// Docker published for the task's exposed port, from the worker itself, every
// interval (quickly while it starts: afterProbe); each result told is a fact
// for the task machine, which counts failures.
import { channel } from 'node:diagnostics_channel';
import { fromCallback } from 'xstate';
import type { TaskMachineEvent } from '../../machines/task.js';
import type { Task } from '../vocabulary/task.js';
import { HEALTH_FAILED, type HealthFailed } from '../vocabulary/channels.js';

/** Where failed probes are told, for the worker's metrics (src/metrics/worker.ts). */
const failedProbes = channel(HEALTH_FAILED);

export interface HealthSettings {
  intervalMs: number;
  timeoutMs: number;
}

/** The URL to probe: the IPv4 binding of the task's first exposed port, on this host. */
export function healthUrl(task: Task): string | undefined {
  const port = Object.keys({ ...task.ExposedPorts, ...task.PortBindings })[0];
  const bindings = (port && task.HostPorts?.[port]) || [];
  const binding = bindings.find((b) => !b.HostIp.includes(':')) ?? bindings[0];
  if (!binding) return undefined;
  const host = binding.HostIp === '' || binding.HostIp === '0.0.0.0' || binding.HostIp === '::' ? '127.0.0.1' : binding.HostIp;
  return `http://${host.includes(':') ? `[${host}]` : host}:${binding.HostPort}${task.HealthCheck}`;
}

/** One probe: undefined when healthy, else why not. Any 2xx answer is healthy. */
export async function probe(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300 ? undefined : `GET ${url} answered ${response.status}`;
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') return `GET ${url} did not answer within ${timeoutMs} ms`;
    return `GET ${url} failed: ${e.cause?.code ?? e.message}`;
  }
}

/**
 * How often a task is probed while it starts: until its first pass, within
 * its first interval (Docker's `--start-interval` within a `--start-period`
 * of one interval). A server that listens at once is healthy at once, not
 * one whole interval after its start, which a rolling update waits for at
 * every step.
 */
export const START_PROBE_MS = 100;

/**
 * What to do with one probe's result (`failed`), which began `begunMs` and
 * ended `endedMs` after the checks began: whether the task machine hears of
 * it, and when the next probe goes. A failure of a probe begun while the task
 * starts (no pass yet, within its first interval) is not told, so failures
 * count as they did when the first probe waited a whole interval: from the
 * probe at one interval on.
 */
export function afterProbe(failed: boolean, passedOnce: boolean, begunMs: number, endedMs: number, intervalMs: number): { tell: boolean; nextInMs: number } {
  const starting = !passedOnce && begunMs < intervalMs;
  if (starting && failed) return { tell: false, nextInMs: Math.max(0, Math.min(START_PROBE_MS, intervalMs - endedMs)) };
  return { tell: true, nextInMs: intervalMs };
}

export function healthCheckActor(settings: HealthSettings) {
  return fromCallback<TaskMachineEvent, { task: Task }>(({ input, sendBack }) => {
    const url = healthUrl(input.task);
    const began = performance.now();
    let passedOnce = false;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const check = async () => {
      const begun = performance.now() - began;
      const problem = url ? await probe(url, settings.timeoutMs) : `no host port is published for ${input.task.HealthCheck}`;
      if (stopped) return;
      const at = new Date().toISOString();
      if (problem && failedProbes.hasSubscribers) failedProbes.publish({ worker: input.task.Worker, task: input.task.ID } satisfies HealthFailed);
      const next = afterProbe(problem !== undefined, passedOnce, begun, performance.now() - began, settings.intervalMs);
      passedOnce ||= problem === undefined;
      if (next.tell) sendBack(problem ? { type: 'health.failed', reason: problem, at } : { type: 'health.passed', at });
      timer = setTimeout(() => void check(), next.nextInMs);
    };
    // The first probe goes as the task starts; until it passes they come
    // quickly for one interval (afterProbe).
    timer = setTimeout(() => void check(), 0); // a probe never rejects: a failure is its answer
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  });
}
