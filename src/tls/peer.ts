// Who is calling, when an API serves HTTPS: the certificate the client
// presented must be signed by the cluster CA and be of a role allowed here
// (a worker takes calls only from the manager). Checked per request rather
// than in the handshake so that a refusal is a JSON answer saying what to do.
import type { TLSSocket } from 'node:tls';
import type { Context, Next } from 'koa';
import { HttpError } from '../http/errors.js';
import { commonName, type Role } from './files.js';

export function requirePeer(allowed: readonly Role[]) {
  const names = allowed.map((role) => commonName[role]);
  const whom = allowed.map((role) => `${role}.crt`).join(' or ');
  return async (ctx: Context, next: Next) => {
    const socket = ctx.req.socket as TLSSocket;
    if (!socket.encrypted) return next();
    const peer = socket.getPeerCertificate();
    if (!peer || Object.keys(peer).length === 0) {
      throw new HttpError(
        401,
        `this API requires a client certificate signed by the cluster CA: present ${whom} from the folder cube tls init made (curl: --cacert ca.crt --cert ${allowed[0]}.crt --key ${allowed[0]}.key)`,
      );
    }
    if (!socket.authorized) {
      throw new HttpError(401, `the client certificate was refused (${String(socket.authorizationError)}): present ${whom}, signed by this cluster's CA`);
    }
    const cn = peer.subject?.CN ?? '';
    const name = Array.isArray(cn) ? cn.join(',') : cn;
    if (!names.includes(name)) throw new HttpError(403, `a certificate for "${name}" may not call this API; it takes ${whom}`);
    await next();
  };
}
