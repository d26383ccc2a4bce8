// The time and the failures of a worker's calls to its container engine
// (docs/metrics.md): the runtime is wrapped, so src/runtime/ knows nothing of
// metrics. Calls the runtime makes to itself are not counted twice: only
// those from outside go through the wrapper.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ContainerRuntime } from '../runtime/types.js';

/** The runtime's calls that ask the engine something and answer once (not settle, watch or the log stream). */
const calls = ['describe', 'start', 'stop', 'remove', 'removeContainer', 'list', 'exitCode', 'logs'] as const;

export function measureRuntime(registry: Registry, runtime: ContainerRuntime): ContainerRuntime {
  const durations = new Histogram({
    name: 'cube_docker_call_duration_seconds',
    help: "Time of a worker's calls to its container engine, by call (start includes the image pull and the create).",
    labelNames: ['call'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'cube_docker_call_errors_total',
    help: "A worker's calls to its container engine that failed, by call.",
    labelNames: ['call'] as const,
    registers: [registry],
  });
  const measured = new Set<string>(calls);
  return new Proxy(runtime, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== 'function') return value;
      // Every method runs on the runtime itself, so its calls to itself are not measured.
      if (typeof property !== 'string' || !measured.has(property)) return (value as () => unknown).bind(target);
      return async (...args: unknown[]) => {
        const end = durations.startTimer({ call: property });
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (error) {
          errors.inc({ call: property });
          throw error;
        } finally {
          end();
        }
      };
    },
  });
}
