// What a TLS client of the cluster presents and checks, without undici: the
// certificate of its role, the cluster CA, and a server that is valid for the
// name dialled and of the role expected. Used by tlsClient (undici's Agent)
// and by the cube command (node:https), which starts faster without undici.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { commonName, loadTls, type Role } from './files.js';

/**
 * The TLS options of a client as `as` (its certificate from `dir`) of a server
 * of role `to`: for undici's Agent (tlsClient) and for node:https (the cube command).
 */
export function clientTlsOptions(dir: string, as: Role, to: Role) {
  const { ca, cert, key } = loadTls(dir, as);
  const expected = commonName[to];
  return {
    ca,
    cert,
    key,
    checkServerIdentity(host: string, peer: PeerCertificate) {
      const wrongName = checkServerIdentity(host, peer);
      if (wrongName) return wrongName;
      if (peer.subject?.CN !== expected) return new Error(`${host} presented a certificate for "${String(peer.subject?.CN)}", not a ${to}'s ("${expected}")`);
      return undefined;
    },
  };
}
