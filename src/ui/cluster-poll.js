// @ts-check
// What GET /events does not tell: the workers' stats as they go (a worker's
// node.updated comes only when its liveness changes) and the managers on
// etcd with the one that leads. The page reads GET /nodes every few seconds
// for them, through the same API as the rest; a read that fails is left for
// the next (the status badge says why the manager is out of reach).
import { read } from './api.js';
import { addSample, nodes, setManagers } from './store.js';

/** How often GET /nodes is read. */
export const POLL_MS = 5000;

/** @typedef {import('./store.js').NodeView | import('./store.js').ManagerView} Listed */

/**
 * Reads GET /nodes once: each worker the stream knows takes its fresh stats (the
 * stream keeps adding and removing them), and the managers are replaced.
 * @returns {Promise<boolean>} whether it was read
 */
async function readNodes() {
  try {
    const response = await read('/nodes');
    if (!response.ok) return false;
    /** @type {Listed[]} */
    const listed = await response.json();
    const at = Date.now();
    for (const entry of listed) {
      if (entry.Role !== 'worker' || !nodes.has(entry.Name)) continue;
      nodes.set(entry.Name, { ...entry, State: /** @type {any} */ (nodes.get(entry.Name)).State });
      addSample(entry, at);
    }
    setManagers(/** @type {import('./store.js').ManagerView[]} */ (listed.filter((entry) => entry.Role === 'manager')));
    return true;
  } catch {
    return false;
  }
}

/** Reads GET /nodes now and every POLL_MS, `changed` called after each read that succeeded. @param {() => void} changed */
export function followCluster(changed) {
  const tick = () => {
    void readNodes().then((read) => {
      if (read) changed();
      setTimeout(tick, POLL_MS);
    });
  };
  tick();
}
