// Real etcd members for tests, on loopback ports, each in its own data dir:
// a cluster of one or three, members that stop and start again. etcd is
// Debian's etcd-server (scripts/etcd-up.sh installs it; npm test runs that).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { nanoid } from 'nanoid';
import type { Settings } from '../../src/config/settings.js';

export interface EtcdMember {
  name: string;
  /** http://127.0.0.1:port of its client API. */
  client: string;
  running(): boolean;
  /** Stops it (SIGTERM, or the signal given); resolves once it exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on its data dir; resolves once it answers (it needs a quorum for that, unless `waitHealthy` is false). */
  start(waitHealthy?: boolean): Promise<void>;
  /** Resolves once it says it is healthy (it has a quorum). */
  healthy(timeoutMs?: number): Promise<void>;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** The members' client URLs, comma-separated, as CUBE_ETCD takes them. */
  endpoints: string;
  /** A prefix of its own for each test, so tests on one cluster never meet. */
  prefix(): string;
  stop(): Promise<void>;
}

/** A free loopback port, as the kernel hands one out for port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function etcdBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error("etcd is not installed: run `bash scripts/etcd-up.sh` (as root it installs Debian's etcd-server; npm test runs it)");
  return found;
}

/** Resolves once GET /health says the member is healthy (which takes a quorum); fails after `timeoutMs`. */
async function untilHealthy(client: string, timeoutMs: number, process: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    if (process.exitCode !== null || process.signalCode !== null) throw new Error(`etcd at ${client} exited:\n${output().slice(-2000)}`);
    try {
      const response = await fetch(`${client}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await response.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`etcd at ${client} is not healthy after ${timeoutMs} ms:\n${output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
}

/**
 * One etcd for the tests of a file: started before the first, stopped after
 * the last. Returns how to reach it (within a test, once it has started).
 */
export function etcdForFile(size = 1): () => EtcdCluster {
  let etcd: EtcdCluster | undefined;
  before(
    async () => {
      etcd = await startEtcd(size);
    },
    { timeout: 60_000 },
  );
  after(
    async () => {
      await etcd?.stop();
    },
    { timeout: 60_000 },
  );
  return () => etcd ?? assert.fail('etcd is started in the before hook of etcdForFile');
}

export async function startEtcd(size = 1): Promise<EtcdCluster> {
  const binary = etcdBinary();
  const token = `cube-test-${nanoid(8)}`;
  const dirs: string[] = [];
  const specs = [];
  for (let i = 1; i <= size; i++) {
    specs.push({ name: `m${i}`, client: `http://127.0.0.1:${await freePort()}`, peer: `http://127.0.0.1:${await freePort()}` });
  }
  const initialCluster = specs.map((s) => `${s.name}=${s.peer}`).join(',');
  const members: EtcdMember[] = specs.map((spec) => {
    const dir = mkdtempSync(join(tmpdir(), `cube-etcd-${spec.name}-`));
    dirs.push(dir);
    let child: ChildProcess | undefined;
    let out = '';
    let started = false;
    const launch = () => {
      out = '';
      child = spawn(
        binary,
        [
          '--name',
          spec.name,
          '--data-dir',
          join(dir, 'data'),
          '--listen-client-urls',
          spec.client,
          '--advertise-client-urls',
          spec.client,
          '--listen-peer-urls',
          spec.peer,
          '--initial-advertise-peer-urls',
          spec.peer,
          '--initial-cluster',
          initialCluster,
          '--initial-cluster-token',
          token,
          '--initial-cluster-state',
          started ? 'existing' : 'new',
          '--logger',
          'zap',
          '--log-level',
          'error',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      started = true;
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
      return child;
    };
    return {
      name: spec.name,
      client: spec.client,
      running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
      stop: async (signal = 'SIGTERM') => {
        const current = child;
        if (!current || current.exitCode !== null || current.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
        current.kill(signal);
        await exited;
      },
      start: async (waitHealthy = true) => {
        const current = launch();
        if (waitHealthy) await untilHealthy(spec.client, 30_000, current, () => out);
      },
      healthy: (timeoutMs = 30_000) => untilHealthy(spec.client, timeoutMs, child!, () => out),
    };
  });
  try {
    // A new cluster answers only once a quorum of members is up: start them all, then wait.
    await Promise.all(members.map((m) => m.start(false)));
    await Promise.all(members.map((m) => m.healthy()));
  } catch (error) {
    await Promise.all(members.map((m) => m.stop('SIGKILL')));
    throw error;
  }
  return {
    members,
    endpoints: members.map((m) => m.client).join(','),
    prefix: () => `/cube-test-${nanoid(8)}/`,
    stop: async () => {
      await Promise.all(members.map((m) => m.stop('SIGKILL')));
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The environment of `cube` processes managing on `cluster`: short leases, a prefix of their own, and `extra`. */
export function managerEnvOn(cluster: EtcdCluster, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CUBE_STORE: 'etcd',
    CUBE_ETCD: cluster.endpoints,
    CUBE_ETCD_PREFIX: cluster.prefix(),
    CUBE_LEADER_LEASE: '2s',
    CUBE_LEADER_RENEW: '500ms',
    ...extra,
  };
}

/** Settings of managers on `cluster` in a test's process: short leases and timeouts, and a prefix of their own. */
export function managersOn(cluster: EtcdCluster, extra: Partial<Settings> = {}): Partial<Settings> {
  return {
    store: 'etcd',
    etcd: cluster.endpoints,
    etcdPrefix: cluster.prefix(),
    leaderLeaseMs: 2000,
    leaderRenewMs: 500,
    etcdTimeoutMs: 1000,
    heartbeatTtlMs: 3000,
    ...extra,
  };
}

/** The leader of these managers, once every one of them names the same (the election tells only etcd; there is no event to wait on). */
export async function leaderOf(urls: readonly string[]): Promise<string> {
  for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
    const named = await Promise.all(urls.map(async (url) => (await fetch(`${url}/nodes`)).headers.get('cube-leader')));
    if (named[0] && named.every((n) => n === named[0])) return named[0];
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
