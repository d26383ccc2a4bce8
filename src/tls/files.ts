// The files of a cluster's TLS folder (made by `cube tls init`, docs/security.md):
// the CA certificate, and a certificate and key for each role. Each machine
// needs only its own pair and ca.crt; ca.key stays where certificates are made.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RECORD_MAX, readCappedFile } from '../read-file.js';

/** Who holds a certificate: the manager (serves its API, calls workers), a worker (serves its API), a person's cube command. */
export type Role = 'manager' | 'worker' | 'client';

/** The certificate's common name for each role: how a server tells who called it. */
export const commonName: Record<Role, string> = { manager: 'cube-manager', worker: 'cube-worker', client: 'cube-client' };

export const caFile = (dir: string) => join(dir, 'ca.crt');
export const caKeyFile = (dir: string) => join(dir, 'ca.key');
export const certFile = (dir: string, role: Role) => join(dir, `${role}.crt`);
export const keyFile = (dir: string, role: Role) => join(dir, `${role}.key`);

/** What a TLS endpoint needs: the CA to check the other side with, and its own certificate and key. */
export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export class TlsFilesError extends Error {
  override name = 'TlsFilesError';
}

function read(path: string, dir: string, what: string, max: number): Buffer {
  if (!existsSync(path)) {
    throw new TlsFilesError(
      `${path} is missing: ${what}. Make the folder with \`cube tls init --dir ${dir}\` and copy ca.crt and this role's .crt and .key to this machine`,
    );
  }
  return readCappedFile(path, max);
}

/** Reads the CA certificate and the certificate and key of `role` from `dir`, each at most `max` bytes (CUBE_RECORD_MAX). */
export function loadTls(dir: string, role: Role, max = DEFAULT_RECORD_MAX): TlsMaterial {
  return {
    ca: read(caFile(dir), dir, 'the cluster CA certificate', max),
    cert: read(certFile(dir, role), dir, `the ${role} certificate`, max),
    key: read(keyFile(dir, role), dir, `the ${role} private key`, max),
  };
}
