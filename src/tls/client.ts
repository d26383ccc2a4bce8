// The client side of the cluster's TLS: a fetch that presents this side's
// certificate and takes only a server whose certificate is signed by the
// cluster CA, is valid for the name dialled, and is of the role expected
// (the manager calling a worker expects a worker's certificate). undici's
// Agent, given as fetch's dispatcher, carries the TLS options.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Agent } from 'undici';
import { commonName, loadTls, type Role } from './files.js';

export interface TlsClient {
  scheme: 'https';
  fetch: typeof fetch;
}

/** An HTTPS fetch as `as` (its certificate from `dir`), to a server of role `to`. */
export function tlsClient(dir: string, as: Role, to: Role): TlsClient {
  const { ca, cert, key } = loadTls(dir, as);
  const expected = commonName[to];
  const agent = new Agent({
    connect: {
      ca,
      cert,
      key,
      checkServerIdentity(host: string, peer: PeerCertificate) {
        const wrongName = checkServerIdentity(host, peer);
        if (wrongName) return wrongName;
        if (peer.subject?.CN !== expected) return new Error(`${host} presented a certificate for "${String(peer.subject?.CN)}", not a ${to}'s ("${expected}")`);
        return undefined;
      },
    },
  });
  // Node's fetch takes an undici dispatcher; the DOM's RequestInit type does not name it.
  return { scheme: 'https', fetch: (input, init) => fetch(input, { ...init, dispatcher: agent } as RequestInit) };
}

/** How the manager reaches its workers: over HTTPS with its certificate when CUBE_TLS_DIR is set, else plain HTTP. */
export function workerConnection(tlsDir: string): Partial<TlsClient> {
  return tlsDir ? tlsClient(tlsDir, 'manager', 'worker') : {};
}
