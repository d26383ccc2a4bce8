// host:port, read one way wherever Cube takes an address: --workers, --join,
// --advertise, a worker's join (POST /nodes), a stored node record, the
// members of CUBE_ETCD and the CLI's --manager. A name or an IPv4 address, or
// an IPv6 address in brackets, then a port 1…65535. (DOCKER_HOST keeps the
// Docker CLI's own reading, src/runtime/docker-errors.ts.)

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+)(?::(\d{1,5}))?$/;

export interface HostPort {
  /** As written: a name, an IPv4 address, or an IPv6 address in brackets (as a URL wants it). */
  host: string;
  /** The host without an IPv6 address's brackets. */
  hostname: string;
  port: number;
}

/** `text` as host:port, or undefined when it is not one; with `defaultPort`, the port may be left out. */
export function parseHostPort(text: string, defaultPort?: number): HostPort | undefined {
  const match = HOST_PORT.exec(text);
  const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
  if (!match || port === undefined || port < 1 || port > 65535) return undefined;
  const host = match[1]!;
  return { host, hostname: host.replace(/^\[(.*)\]$/, '$1'), port };
}
