// Cube's connection to etcd (CUBE_STORE=etcd, docs/ha.md): the members from
// CUBE_ETCD, this cluster's keys under CUBE_ETCD_PREFIX, every call limited by
// CUBE_ETCD_TIMEOUT, and errors in words. A call is retried on another member
// only when it never reached one (UNAVAILABLE): a write that timed out may
// have been applied, and the writer (src/store/etcd-writer.ts) finds that out
// by reading rather than by writing twice.
import { circuitBreaker, ConsecutiveBreaker, handleWhen, retry } from 'cockatiel';
import { Etcd3, GRPCDeadlineExceededError, GRPCUnavailableError, type Namespace } from 'etcd3';
import { parseHostPort } from '../config/host-port.js';
import { SettingsError, type Settings } from '../config/settings.js';
import { DEFAULT_RECORD_MAX } from '../read-file.js';

/** Where each kind of record lives, under the cluster's prefix. */
export const etcdKeys = {
  task: (id: string) => `tasks/${id}`,
  tasks: 'tasks/',
  log: 'log/',
  /** The ledger's meta (src/store/ledger-meta.ts). */
  meta: 'meta',
  node: (name: string) => `nodes/${name}`,
  nodes: 'nodes/',
  service: (name: string) => `services/${name}`,
  services: 'services/',
  manager: (name: string) => `managers/${name}`,
  managers: 'managers/',
  /** The leader's key: whoever created it leads, as long as its lease lives. */
  leader: 'leader',
  /** The cluster's identity, which its workers take (src/store/etcd-cluster.ts). */
  cluster: 'cluster',
};

export interface EtcdConnection {
  client: Etcd3;
  /** The cluster's keys (CUBE_ETCD_PREFIX). */
  kv: Namespace;
  timeoutMs: number;
  members: string[];
  /** A deadline for one call, as gRPC takes it. */
  deadline(): { deadline: number };
  /** Bytes of the largest value read as a record (CUBE_RECORD_MAX). */
  recordMax: number;
  close(): void;
}

/** The members of CUBE_ETCD, each checked: http://host:port. */
export function parseEtcdMembers(text: string): string[] {
  const members = text
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (members.length === 0) throw new SettingsError('CUBE_ETCD (--etcd): name the etcd members, like http://10.0.0.1:2379,http://10.0.0.2:2379');
  for (const member of members) {
    const address = /^https?:\/\/(.*)$/.exec(member)?.[1];
    if (address === undefined || !parseHostPort(address))
      throw new SettingsError(`CUBE_ETCD (--etcd): ${JSON.stringify(member)} is not http://host:port (like http://127.0.0.1:2379)`);
  }
  return members;
}

export function connectEtcd(settings: Pick<Settings, 'etcd' | 'etcdPrefix' | 'etcdTimeoutMs'> & Partial<Pick<Settings, 'recordMax'>>): EtcdConnection {
  const members = parseEtcdMembers(settings.etcd);
  if (!settings.etcdPrefix.startsWith('/') || !settings.etcdPrefix.endsWith('/')) {
    throw new SettingsError(`CUBE_ETCD_PREFIX (--etcd-prefix): ${JSON.stringify(settings.etcdPrefix)} must start and end with /, like /cube/`);
  }
  const timeoutMs = settings.etcdTimeoutMs;
  const client = new Etcd3({
    hosts: members,
    dialTimeout: timeoutMs,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeoutMs }),
    faultHandling: {
      // A member that refuses connections is skipped for a while; a call that never reached one goes to another.
      host: () =>
        circuitBreaker(
          handleWhen((e) => e instanceof GRPCUnavailableError),
          { halfOpenAfter: 2000, breaker: new ConsecutiveBreaker(2) },
        ),
      global: retry(
        handleWhen((e) => e instanceof GRPCUnavailableError),
        { maxAttempts: members.length },
      ),
    },
  });
  return {
    client,
    kv: client.namespace(settings.etcdPrefix),
    timeoutMs,
    members,
    deadline: () => ({ deadline: Date.now() + timeoutMs }),
    recordMax: settings.recordMax ?? DEFAULT_RECORD_MAX,
    close: () => client.close(),
  };
}

/** Why an etcd call failed, in words a person can act on. */
export function etcdProblem(error: unknown, connection: Pick<EtcdConnection, 'members' | 'timeoutMs'>): string {
  const where = `etcd at ${connection.members.join(',')}`;
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof GRPCDeadlineExceededError || /deadline exceeded|request timed out/i.test(message)) {
    return `${where} did not answer within ${connection.timeoutMs} ms (has it lost its quorum, or are its members down?)`;
  }
  if (error instanceof GRPCUnavailableError || /unavailable|ECONNREFUSED|No connection established/i.test(message)) {
    return `${where} cannot be reached (${message.split('\n')[0]})`;
  }
  return `${where}: ${message.split('\n')[0]}`;
}
