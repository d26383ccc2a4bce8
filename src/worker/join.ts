// A worker that joins a cluster by itself (`cube worker --join host:port,…`,
// docs/ha.md), as a kubelet registers its node: it tells a manager where its
// API is (POST /nodes; any manager will do, a follower passes it to the
// leader), and the manager places tasks on it from its first heartbeat. It
// joins again every third of the registration's TTL (at most every 30 s),
// which renews it; a worker that stops doing so is forgotten after the TTL. The
// manager's CUBE_JOIN_TTL decides the TTL and says it in each answer
// (Cube-Join-Ttl); the worker's own setting counts until it is told.
// A manager that does not answer is skipped for the next in the list; when
// none answers, it keeps trying, and says so once.
import { parseHostPort } from '../config/host-port.js';
import { SettingsError } from '../config/settings.js';
import { backoff } from '../backoff.js';
import type { Log } from '../log.js';
import { answerText } from '../http/answer-body.js';
import { cubeHeaders } from '../http/cube-headers.js';
import type { ClusterIdentity } from '../store/cluster-id.js';
import { callError } from '../http/call-error.js';

/** The managers of --join, each host:port. */
export function parseJoin(text: string): string[] {
  const managers = text
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  for (const manager of managers) {
    if (!parseHostPort(manager)) throw new SettingsError(`--join (CUBE_JOIN): ${JSON.stringify(manager)} is not host:port of a manager (like 10.0.0.5:5556)`);
  }
  return managers;
}

export interface JoinOptions {
  /** The worker's name and the address managers reach its API at. */
  name: string;
  address: string;
  managers: string[];
  token: string;
  joinTtlMs: number;
  /** The worker's cluster identity: it takes the first manager's, and refuses another cluster's. */
  cluster: ClusterIdentity;
  log: Log;
  /** Limit of one call. */
  callTimeoutMs?: number;
  /** With CUBE_TLS_DIR: HTTPS, with the worker's certificate. */
  tls?: { scheme: 'https'; fetch: typeof fetch };
}

export interface Joining {
  /** Resolves at the first join a manager took. */
  joined: Promise<string>;
  stop(): void;
}

/** A manager of another cluster than the worker's. */
class Refused extends Error {}

const renewalOf = (ttlMs: number) => Math.max(10, Math.min(30_000, Math.floor(ttlMs / 3)));

export function startJoining(options: JoinOptions): Joining {
  let renewMs = renewalOf(options.joinTtlMs);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = '';
  let next = 0;
  const firstWait = backoff(200, 5000);
  let wait = firstWait;
  let first: ((manager: string) => void) | undefined;
  const joined = new Promise<string>((resolve) => (first = resolve));

  async function once(manager: string): Promise<void> {
    const response = await (options.tls?.fetch ?? fetch)(`${options.tls?.scheme ?? 'http'}://${manager}/nodes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: JSON.stringify({ Name: options.name, Address: options.address }),
      signal: AbortSignal.timeout(options.callTimeoutMs ?? 10_000),
    });
    const ttl = Number(response.headers.get(cubeHeaders.joinTtl));
    if (response.ok && Number.isFinite(ttl) && ttl > 0) renewMs = renewalOf(ttl);
    const cluster = response.headers.get(cubeHeaders.cluster);
    if (response.ok && cluster) {
      const joining = options.cluster.join(cluster);
      if ('refused' in joining) throw new Refused(`manager ${manager}: ${joining.refused}`);
      if (joining.joined === 'now') options.log(`worker ${options.name} is of Cube cluster ${cluster} from now on, as its managers are`);
    }
    if (response.ok) return void (await response.body?.cancel());
    throw new Error(`${response.status}: ${await answerText(response, 300)}`);
  }

  async function join(): Promise<void> {
    if (stopped) return;
    const problems: string[] = [];
    for (let i = 0; i < options.managers.length; i++) {
      const manager = options.managers[(next + i) % options.managers.length]!;
      try {
        await once(manager);
        if (stopped) return;
        if (failing || first) options.log(`worker ${options.name} joined the cluster through the manager at ${manager}`);
        failing = '';
        wait = firstWait;
        next = (next + i) % options.managers.length; // stay with the one that answers
        first?.(manager);
        first = undefined;
        timer = setTimeout(() => void join(), renewMs);
        return;
      } catch (error) {
        if (error instanceof Refused) {
          // The managers of --join are one cluster: one of another is a mistake to fix, not to retry.
          options.log(`worker ${options.name} does not join: ${error.message}`);
          stopped = true;
          return;
        }
        problems.push(`${manager}: ${error instanceof Error && /^\d{3}: /.test(error.message) ? error.message : callError(error)}`);
      }
    }
    if (stopped) return;
    const problem = problems.join('; ');
    if (problem !== failing) options.log(`worker ${options.name} could not join (${problem}); trying again`);
    failing = problem;
    timer = setTimeout(() => void join(), wait.ms);
    wait = wait.next();
  }

  void join();
  return {
    joined,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
