// What `cube tls init` writes and how each role reads it, on real files: the
// certificates chain to the cluster's CA with the names and uses of their
// role, keys are private to their owner, a folder with a CA is not replaced
// unless asked, and a missing file is named with what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTls } from '../../src/tls/certificates.js';
import { keyFile, loadTls, TlsFilesError } from '../../src/tls/files.js';

const folder = () => join(mkdtempSync(join(tmpdir(), 'cube-tls-unit-')), 'tls');

test('cube tls init: a CA, and for each role a certificate it signed, with the names and uses of that role', { timeout: 10_000 }, async () => {
  const dir = folder();
  const made = await initTls({ dir, names: ['worker-7', '10.9.8.7'] });
  assert.equal(made.files.length, 8);
  const ca = new X509Certificate(loadTls(dir, 'worker').ca);
  assert.ok(ca.ca);
  for (const role of ['manager', 'worker', 'client'] as const) {
    const cert = new X509Certificate(loadTls(dir, role).cert);
    assert.ok(cert.verify(ca.publicKey), `${role} is signed by the CA`);
    assert.match(cert.subject, new RegExp(`CN=cube-${role}`));
    assert.equal(statSync(keyFile(dir, role)).mode & 0o777, 0o600, `${role}.key is private`);
  }
  const worker = new X509Certificate(loadTls(dir, 'worker').cert);
  assert.ok(worker.checkHost('worker-7') && worker.checkHost('localhost') && worker.checkIP('10.9.8.7') && worker.checkIP('127.0.0.1'));
  assert.equal(worker.checkHost('elsewhere.example'), undefined);
  assert.deepEqual(worker.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'a worker serves, and calls a manager to join');
  assert.deepEqual(new X509Certificate(loadTls(dir, 'client').cert).keyUsage, ['1.3.6.1.5.5.7.3.2'], 'a client calls and never serves');
  rmSync(dir, { recursive: true, force: true });
});

test('a folder that holds a CA is not replaced without --force', { timeout: 10_000 }, async () => {
  const dir = folder();
  await initTls({ dir, names: [] });
  const before = loadTls(dir, 'manager').ca.toString();
  await assert.rejects(initTls({ dir, names: [] }), /already holds a cluster CA \(ca\.crt\); pass --force to make a new one/);
  await initTls({ dir, names: [], force: true });
  assert.notEqual(loadTls(dir, 'manager').ca.toString(), before);
  rmSync(dir, { recursive: true, force: true });
});

test('a missing file is named, with how to make it', { timeout: 10_000 }, () => {
  assert.throws(
    () => loadTls('/nonexistent/tls', 'worker'),
    (e: Error) =>
      e instanceof TlsFilesError &&
      e.message ===
        "/nonexistent/tls/ca.crt is missing: the cluster CA certificate. Make the folder with `cube tls init --dir /nonexistent/tls` and copy ca.crt and this role's .crt and .key to this machine",
  );
});

test('a file of the folder larger than CUBE_RECORD_MAX is refused unread, named', { timeout: 10_000 }, async () => {
  const dir = folder();
  await initTls({ dir, names: [] });
  writeFileSync(keyFile(dir, 'worker'), 'x'.repeat(5000));
  assert.throws(() => loadTls(dir, 'worker', 4096), new RegExp(`${keyFile(dir, 'worker')} is 5000 bytes, more than CUBE_RECORD_MAX \\(4096\\)`));
  rmSync(dir, { recursive: true, force: true });
});
