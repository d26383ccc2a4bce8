// Who is calling, when an API serves HTTPS: the certificate the client
// presented must be signed by the cluster CA and be of a role allowed here
// (a worker takes calls only from the manager). Checked per request rather
// than in the handshake so that a refusal is a JSON answer saying what to do.
import type { TLSSocket } from 'node:tls';
import type { Context, Next } from 'koa';
import { HttpError } from './errors.js';
import { commonName, type Role } from '../tls/files.js';

/**
 * Whose certificates an API takes for a request: a worker's API the manager's
 * only; a manager's API people's (client.crt) and other managers' (a follower
 * passes commands to the leader), and a worker's for `POST /nodes` alone,
 * which is how a worker joins and renews (`cube worker --join`).
 */
export function callersOf(api: 'manager' | 'worker', method: string, path: string): readonly Role[] {
  if (api === 'worker') return ['manager'];
  return method === 'POST' && path === '/nodes' ? ['manager', 'client', 'worker'] : ['manager', 'client'];
}

export function requirePeer(callers: (ctx: Context) => readonly Role[]) {
  return async (ctx: Context, next: Next) => {
    const allowed = callers(ctx);
    const names = allowed.map((role) => commonName[role]);
    const whom = allowed.map((role) => `${role}.crt`).join(' or ');
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
      // A worker.crt of a folder made before workers could join serves only: it has no right to call.
      const old =
        String(socket.authorizationError) === 'INVALID_PURPOSE'
          ? '; a certificate made by an older cube tls init may lack the right to call: make the folder again with cube tls init --force'
          : '';
      throw new HttpError(401, `the client certificate was refused (${String(socket.authorizationError)}): present ${whom}, signed by this cluster's CA${old}`);
    }
    const cn = peer.subject?.CN ?? '';
    const name = Array.isArray(cn) ? cn.join(',') : cn;
    if (!names.includes(name)) throw new HttpError(403, `a certificate for "${name}" may not call this API; it takes ${whom}`);
    await next();
  };
}
