// Turns dockerode's errors into sentences a person can act on. Docker's own
// reasons can mislead (a missing image on create reads "no such container"),
// so the caller says what it was doing and we say what to do next.

/** How the engine is reached, the way the Docker CLI decides it (docs/spec.md §5). */
export function dockerAddress(): string {
  return process.env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
}

/** dockerode connection options for a DOCKER_HOST-style address. */
export function connectionOptions(address: string): { socketPath: string } | { host: string; port: number; protocol: 'http' } {
  if (address.startsWith('unix://') && address.length > 'unix://'.length) return { socketPath: address.slice('unix://'.length) };
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/[\]]+):(\d+)\/?$/.exec(address);
  if (tcp) return { host: tcp[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(tcp[2]), protocol: 'http' };
  throw new Error(`DOCKER_HOST ${JSON.stringify(address)} is not unix:///path or tcp://host:port`);
}

const unreachableCodes = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

interface DockerishError {
  code?: string;
  statusCode?: number;
  reason?: string;
  json?: { message?: string } | null;
  message?: string;
}

/** Docker's own words for a failed call, without dockerode's "(HTTP code 404) …" prefix. */
export function dockerMessage(error: unknown): string {
  const e = error as DockerishError;
  const text = e.json?.message ?? e.message ?? String(error);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

export function isUnreachable(error: unknown): boolean {
  const e = error as DockerishError;
  return (e.code !== undefined && unreachableCodes.has(e.code)) || /timeout/i.test(e.message ?? '');
}

export function statusOf(error: unknown): number | undefined {
  return (error as DockerishError).statusCode;
}

/** The sentence for an engine that does not answer, with how to get one. */
export function unreachableMessage(error: unknown, address: string): string {
  const e = error as DockerishError;
  const detail = e.code ? `${e.code}` : dockerMessage(error);
  return (
    `the Docker engine does not answer at ${address} (${detail}). ` +
    'Start it (scripts/docker-up.sh installs and starts one on Debian; or `sudo dockerd &`), or point DOCKER_HOST at a running engine'
  );
}

/** Describes a failed call: `doing` says what Cube was doing, e.g. "create container web". */
export function describeDockerError(doing: string, error: unknown, address: string): string {
  if (isUnreachable(error)) return `${doing}: ${unreachableMessage(error, address)}`;
  return `${doing}: ${dockerMessage(error)}`;
}
