// @ts-check
// The endpoints of the service shown. The stream tells each change of them
// (service.endpoints, kept in store.js) but not what they are when the page
// connects: a service page whose endpoints the store lacks asks for them
// (GET /services/{name}/endpoints), one request at a time; an event that came
// meanwhile wins, being newer. A failure leaves them unknown until the next
// event, or the next drawing of the page asks again.
import { read } from '../api.js';
import { endpoints } from '../store.js';

/** The services whose endpoints are being asked for. */
const asking = new Set();

/** Asks for the endpoints of service `name` unless they are known or asked for; `then` once they are known. @param {string} name @param {() => void} then */
export function askEndpoints(name, then) {
  if (endpoints.has(name) || asking.has(name)) return;
  asking.add(name);
  void (async () => {
    try {
      const response = await read(`/services/${encodeURIComponent(name)}/endpoints`);
      const list = response.ok ? await response.json() : null;
      if (list && !endpoints.has(name)) {
        endpoints.set(name, list);
        then();
      }
    } catch {
      // The manager went away: the reconnect brings the services back, and the page asks again.
    } finally {
      asking.delete(name);
    }
  })();
}
