// @ts-check
// How Cube names things to people, in one place for the `cube` command and the
// live view (served as /ui/words.js): the state labels of tasks and services,
// and the port arrow.
// Plain JavaScript with JSDoc types, so the browser runs it as it is and the
// TypeScript of the CLI imports it checked.

/** @typedef {{ HostIp: string, HostPort: string }} PortBinding */

/**
 * The label of each `State` integer (docs/spec.md §1): the browser's copy of
 * `stateLabels` in src/vocabulary/task.ts, which it cannot import as it is
 * TypeScript; test/unit/state-names.test.ts holds the two, and the keys of
 * `stateNameLabels` below, to the same words.
 */
export const stateLabels = /** @type {const} */ (['Pending', 'Scheduled', 'Running', 'Completed', 'Failed']);

/** The label of each `StateName` as it is most often seen (`stopping` is Running, `restarting` Failed). */
export const stateNameLabels = /** @type {Record<string, string>} */ ({
  pending: 'Pending',
  scheduled: 'Scheduled',
  running: 'Running',
  stopping: 'Running (stopping)',
  completed: 'Completed',
  failed: 'Failed',
  restarting: 'Failed (restarting)',
});

/** The label of each service's `StateName` (docs/spec.md §9); test/unit/state-names.test.ts holds its keys to the vocabulary's. */
export const serviceStateLabels = {
  stable: 'Stable',
  deploying: 'Deploying',
  'rolling-back': 'Rolling back',
  paused: 'Paused',
  failed: 'Failed',
};

/**
 * "Running", or "Running (stopping)" / "Failed (restarting)" when the finer state says more.
 * @param {{ State: number, StateName?: string }} task
 */
export function stateLabel(task) {
  const name = stateLabels[task.State] ?? `State ${task.State}`;
  if (task.StateName && task.StateName !== name.toLowerCase()) return `${name} (${task.StateName})`;
  return name;
}

/** The arrow between a container's port and the host port it is published on. */
export const portArrow = '→';

/** @param {PortBinding} b */
const onEveryV4 = (b) => b.HostIp === '' || b.HostIp === '0.0.0.0';

/**
 * One binding as a person reads it: the bare port when on every IPv4 address, else with its address.
 * @param {PortBinding} b
 */
function target(b) {
  if (onEveryV4(b)) return b.HostPort;
  return b.HostIp.includes(':') ? `[${b.HostIp}]:${b.HostPort}` : `${b.HostIp}:${b.HostPort}`;
}

/**
 * Docker's bindings as a person reads them: "80/tcp→49155". The IPv6 binding
 * of the same port is folded in; when Docker gave IPv6 another port, both are
 * shown, IPv4 first ("80/tcp→49155 or [::]:49156"). "" when nothing is published.
 * @param {Record<string, PortBinding[] | null> | null | undefined} hostPorts
 * @returns {string}
 */
export function ports(hostPorts) {
  if (!hostPorts) return '';
  const shown = [];
  for (const [port, bindings] of Object.entries(hostPorts)) {
    const v4 = (bindings ?? []).filter(onEveryV4);
    const v4Ports = new Set(v4.map((b) => b.HostPort));
    const others = (bindings ?? []).filter((b) => !onEveryV4(b) && !(b.HostIp === '::' && v4Ports.has(b.HostPort)));
    const targets = [...new Set([...v4, ...others].map(target))];
    if (targets.length > 0) shown.push(`${port}${portArrow}${targets.join(' or ')}`);
  }
  return shown.join(', ');
}
