// A cluster's certificates (what `cube tls init` writes): a CA of its own, and
// signed by it a certificate for the manager, one for the workers and one for
// people's cube commands. Keys are ECDSA P-256 made by Node's WebCrypto; the
// certificates are built by @peculiar/x509. No cryptography is written here.
import { KeyObject, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { caFile, caKeyFile, certFile, commonName, keyFile, type Role } from './files.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;
/** No rotation is automatic, so certificates last; `cube tls init --force` makes new ones. */
export const CA_DAYS = 3650;
export const CERT_DAYS = 825;

interface Issuer {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

const newKeys = () => webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
const pemKey = (key: CryptoKey) => KeyObject.from(key as unknown as webcrypto.CryptoKey).export({ type: 'pkcs8', format: 'pem' }) as string;
/** A random positive 128-bit serial number (RFC 5280: positive, at most 20 bytes). */
function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

async function makeCa(now: Date): Promise<Issuer> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Cube cluster CA ${serial().slice(0, 8)}`,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

/** The names a server certificate is valid for: loopback, this machine, and the names given. */
export function serverNames(names: string[]): string[] {
  return [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...names.map((n) => n.trim()).filter((n) => n !== '')])];
}

async function issue(ca: Issuer, role: Role, names: string[], now: Date): Promise<{ cert: string; key: string }> {
  const keys = await newKeys();
  // People's commands call; the manager serves and calls; a worker serves, and calls a manager to join.
  const usages = {
    manager: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
    worker: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
    client: [x509.ExtendedKeyUsage.clientAuth],
  }[role];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${commonName[role]}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + CERT_DAYS * DAY),
    signingAlgorithm: algorithm,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
      ...(role === 'client'
        ? []
        : [
            new x509.SubjectAlternativeNameExtension(
              names.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value })),
              false,
            ),
          ]),
    ],
  });
  return { cert: cert.toString('pem'), key: pemKey(keys.privateKey) };
}

export interface InitOptions {
  dir: string;
  /** More names (DNS names or IP addresses) by which the manager and the workers are reached. */
  names: string[];
  /** Replace a folder that already holds a CA. */
  force?: boolean;
}

export interface InitResult {
  files: string[];
  names: string[];
}

/** Makes the cluster's CA and the certificates of every role in `dir`; keys are readable by their owner only. */
export async function initTls(options: InitOptions): Promise<InitResult> {
  const { dir } = options;
  if (existsSync(caFile(dir)) && !options.force) {
    throw new Error(`${dir} already holds a cluster CA (ca.crt); pass --force to make a new one (every machine then needs the new files)`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const now = new Date();
  const ca = await makeCa(now);
  const names = serverNames(options.names);
  const files: string[] = [];
  const write = (path: string, text: string, secret: boolean) => {
    writeFileSync(path, text, { mode: secret ? 0o600 : 0o644 });
    chmodSync(path, secret ? 0o600 : 0o644); // an existing file keeps its mode otherwise
    files.push(path);
  };
  write(caFile(dir), ca.cert.toString('pem'), false);
  write(caKeyFile(dir), pemKey(ca.keys.privateKey), true);
  for (const role of ['manager', 'worker', 'client'] as const) {
    const { cert, key } = await issue(ca, role, names, now);
    write(certFile(dir, role), cert, false);
    write(keyFile(dir, role), key, true);
  }
  return { files, names };
}
