import { join } from 'node:path';
import { readSettings } from '../../config/settings.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';

export const tlsCommand: Command = {
  summary: 'make a cluster CA and certificates for mutual TLS: cube tls init --names worker-1,10.0.0.5',
  usage: 'cube tls init [flags]',
  about: `
Makes a certificate authority for one Cube cluster and, signed by it, a
certificate and key for the manager, one for the workers and one for people's
cube commands, in DIR (CUBE_TLS_DIR; default <data dir>/tls):

  ca.crt       the cluster CA: every machine needs it
  ca.key       signs certificates: keep it where certificates are made, nowhere else
  manager.crt  manager.key   for cube manager / cube start --tls-dir DIR
  worker.crt   worker.key    for cube worker --tls-dir DIR
  client.crt   client.key    for cube run/status/stop/node… --tls-dir DIR

Servers' certificates are valid for localhost, 127.0.0.1, ::1, this machine's
hostname and each NAME (a DNS name or an IP address by which the manager or a
worker is reached). Certificates last 825 days, the CA 3650; run again with
--force to make new ones (every machine then needs the new files).
docs/security.md tells the whole story.`,
  flags: {
    dir: { type: 'string', value: 'DIR', help: 'where to write them (CUBE_TLS_DIR; default <data dir>/tls)', complete: 'dir' },
    names: { type: 'string', value: 'NAME,…', help: 'more names and addresses the servers are reached by' },
    force: { type: 'boolean', help: 'make new ones over those there' },
  },
  operand: ['init'],
  async run({ positionals, flags }) {
    if (positionals[0] !== 'init' || positionals.length > 1) throw new UsageError(`expected "cube tls init", got "cube tls ${positionals.join(' ')}"`);
    const { initTls } = await import('../../tls/certificates.js');
    const settings = readSettings({}, process.env);
    const dir = flags['dir'] ?? (settings.tlsDir || join(settings.dataDir, 'tls'));
    const names = (flags['names'] ?? '').split(',').filter((n) => n.trim() !== '');
    const made = await initTls({ dir, names, force: flags['force'] !== undefined });
    process.stdout.write(
      `cube: made a cluster CA and certificates in ${dir} for ${made.names.join(', ')}:\n${made.files.map((f) => `  ${f}`).join('\n')}\n` +
        `Run: cube manager --tls-dir ${dir} …, cube worker --tls-dir ${dir} …; copy ca.crt with worker.crt/.key to each worker.\n`,
    );
    return 0;
  },
};
