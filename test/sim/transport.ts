// The manager's transport to its workers in the simulation: fetch over the
// simulated links (network.ts), handed to src/manager/run/logic.ts in place of
// the global fetch, so the proxies the manager runs are the real ones
// (src/manager/proxies/), under every fault of the links. A call is a
// connection to the worker machine named by the URL's host; under chaos, a
// request may also go a second time, on a connection of its own whose answer
// nobody reads, as a network that duplicates.
import { Connection } from './connection.js';
import { httpClient } from './http.js';
import type { Link } from './network.js';
import type { SimProcess } from './process.js';

export function workerTransport(links: ReadonlyMap<string, Link>, caller: SimProcess): typeof fetch {
  const client = httpClient((url) => {
    const link = links.get(url.hostname);
    // GET /events is the long answer: its bytes back are the event stream's (a lag holds them, a break resets them).
    const stream = url.pathname === '/events';
    return new Connection({
      caller,
      stream,
      listener: () => link?.address.listening(),
      toServer: () => link?.delay('toWorker') ?? 1,
      toClient: stream ? () => link?.streamDelay() ?? 1 : () => link?.delay('toManager') ?? 1,
    }).client;
  });
  return ((input: string, init: RequestInit = {}) => {
    const url = new URL(input);
    if (url.pathname !== '/events' && links.get(url.hostname)?.duplicates()) void client(input, { ...init, signal: null }).then(drain, drain);
    return client(input, init);
  }) as typeof fetch;
}

/** Reads a duplicate's answer to its end, for nobody. */
const drain = (answer: unknown) => (answer instanceof Response ? answer.body?.cancel() : undefined);
