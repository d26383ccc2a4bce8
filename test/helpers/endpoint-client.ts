// A client in front of a service, as a load balancer would be: it follows the
// manager's GET /events for the service's endpoints (refreshed on each
// `service.endpoints` event) and every 50 ms sends a request to one endpoint
// picked at random, counting what answered and what failed.
import { readEvents } from '../../src/http/sse-client.js';

interface Endpoint {
  Task: string;
  HostIp: string;
  HostPort: string;
}

export interface ClientCount {
  ok: number;
  failed: number;
  /** What went wrong, one line each, the first few. */
  errors: string[];
  /** Requests sent while no endpoint was known. */
  idle: number;
}

export function endpointClient(managerUrl: string, service: string, everyMs = 50) {
  const count: ClientCount = { ok: 0, failed: 0, errors: [], idle: 0 };
  let endpoints: Endpoint[] = [];
  const stop = new AbortController();
  const follow = (async () => {
    try {
      const response = await fetch(`${managerUrl}/events`, { signal: stop.signal });
      const current = await fetch(`${managerUrl}/services/${service}/endpoints`, { signal: stop.signal });
      endpoints = (await current.json()) as Endpoint[];
      for await (const { type, data } of readEvents(response.body!)) {
        if (type === 'service.endpoints' && data.service === service) endpoints = data.endpoints as Endpoint[];
      }
    } catch {
      // stopped
    }
  })();
  const ask = async () => {
    const endpoint = endpoints[Math.floor(Math.random() * endpoints.length)];
    if (!endpoint) return void count.idle++;
    try {
      const answer = await fetch(`http://${endpoint.HostIp}:${endpoint.HostPort}/`, { signal: AbortSignal.timeout(5000) });
      await answer.arrayBuffer();
      if (answer.ok) count.ok++;
      else throw new Error(`answered ${answer.status}`);
    } catch (error) {
      count.failed++;
      if (count.errors.length < 10)
        count.errors.push(`${endpoint.Task} at ${endpoint.HostIp}:${endpoint.HostPort}: ${(error as Error).cause ?? (error as Error).message}`);
    }
  };
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const request = ask();
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }, everyMs);
  return {
    count,
    /** Stops sending; resolves with the count once every request sent has its answer. */
    async stop(): Promise<ClientCount> {
      clearInterval(timer);
      await Promise.all(inFlight);
      stop.abort();
      await follow;
      return count;
    },
  };
}
