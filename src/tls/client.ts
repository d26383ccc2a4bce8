// The client side of the cluster's TLS: a fetch that presents this side's
// certificate and takes only a server whose certificate is signed by the
// cluster CA, is valid for the name dialled, and is of the role expected
// (the manager calling a worker expects a worker's certificate). undici's
// Agent, given as fetch's dispatcher, carries the TLS options.
import { Agent } from 'undici';
import { clientTlsOptions } from './client-options.js';
import type { Role } from './files.js';

export interface TlsClient {
  scheme: 'https';
  fetch: typeof fetch;
}

/** An HTTPS fetch as `as` (its certificate from `dir`), to a server of role `to`. */
export function tlsClient(dir: string, as: Role, to: Role): TlsClient {
  const agent = new Agent({ connect: clientTlsOptions(dir, as, to) });
  // Node's fetch takes an undici dispatcher; the DOM's RequestInit type does not name it.
  return { scheme: 'https', fetch: (input, init) => fetch(input, { ...init, dispatcher: agent } as RequestInit) };
}

/** How the manager reaches its workers: over HTTPS with its certificate when CUBE_TLS_DIR is set, else plain HTTP. */
export function workerConnection(tlsDir: string): Partial<TlsClient> {
  return tlsDir ? tlsClient(tlsDir, 'manager', 'worker') : {};
}
