// Health checks answered by the simulated containers. src/worker/health-check.ts
// probes `http://127.0.0.1:<host port><path>` with fetch; while a run lasts,
// fetch is replaced by one that knows only the simulated containers' host
// ports: 200 from a healthy running container, 500 from one under an
// "unhealthy" fault (and, under a "health.flaky" one, now and then, and from
// a sick service version's once it has run SICK_AFTER_MS), no
// answer from a paused one or a hung engine (the probe's own timeout ends it),
// and ECONNREFUSED where nothing listens. Each answer is told to the checker,
// the facts a health failure must follow. Any other URL throws: no run may
// reach a real socket.
import type { SimContainer, SimEngine } from './engine.js';
import type { Observer } from './observer.js';
import type { Random } from './random.js';
import { SICK_AFTER_MS, SICK_IMAGE } from './schedule.js';

export function installFetch(
  ports: Map<number, SimContainer>,
  engineOf: (container: SimContainer) => SimEngine,
  observer: Pick<Observer, 'healthChecked'>,
  random: Random,
): () => void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.hostname !== '127.0.0.1') throw new Error(`the simulation made a real network call to ${url.href}`);
    const port = Number(url.port);
    const container = ports.get(port);
    const signal = init?.signal ?? undefined;
    if (!container || !container.running) {
      observer.healthChecked(port, false);
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }
    const engine = engineOf(container);
    if (container.paused || Date.now() < engine.hangUntil || engine.isDown()) {
      // Never answers: the caller's timeout decides.
      return new Promise<Response>((_, reject) =>
        signal?.addEventListener('abort', () => {
          observer.healthChecked(port, false);
          reject(signal.reason);
        }),
      );
    }
    const flaky = engine.flaky.get(container.taskId);
    const sick =
      Date.now() < (engine.unhealthy.get(container.taskId) ?? 0) ||
      (flaky !== undefined && Date.now() < flaky.until && random.chance(flaky.chance)) ||
      (container.spec.Image.startsWith(`${SICK_IMAGE}:`) && Date.now() - container.startedAt >= SICK_AFTER_MS);
    observer.healthChecked(port, !sick);
    return new Response(sick ? 'unhealthy' : 'ok', { status: sick ? 500 : 200 });
  }) as typeof fetch;
  return () => void (globalThis.fetch = realFetch);
}
