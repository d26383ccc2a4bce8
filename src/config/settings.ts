// Cube's settings (docs/spec.md §5) as one table: each comes from a flag, else its
// CUBE_* variable, else a default that suits production. Tests set them in
// milliseconds. The same table prints `--help` and docs/configuration.md.
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import { parseDuration } from '../vocabulary/duration.js';
import { bytesOf } from '../task/units.js';
import { parseLabel, type Labels } from '../vocabulary/labels.js';

/** The entries of a comma-separated setting, trimmed, empty ones left out. */
export const listOf = (text: string): string[] =>
  text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

type Kind = 'duration' | 'count' | 'text' | 'switch' | 'ip' | 'size' | 'cpus' | 'labels';

/** Which servers read a setting: `cube worker` takes the worker's, `cube manager` the manager's, `cube start` both. */
export type Role = 'worker' | 'manager';

export interface SettingSpec {
  env: string;
  kind: Kind;
  default: string | (() => string);
  help: string;
  choices?: readonly string[];
  /** Who reads it; both when absent. */
  role?: Role;
  /** A text setting's own check: what is wrong with it, in words, or undefined. */
  check?: (text: string) => string | undefined;
  /** A list its flag may build a piece at a time: given several times, the values join with commas (labels always may). */
  repeatable?: true;
}

/** Whether a setting's flag may be given several times. */
export const isRepeatable = (spec: SettingSpec): boolean => spec.kind === 'labels' || spec.repeatable === true;

export const settingSpecs = {
  healthIntervalMs: { env: 'CUBE_HEALTH_INTERVAL', kind: 'duration', default: '10s', help: "period of a task's health check", role: 'worker' },
  healthTimeoutMs: { env: 'CUBE_HEALTH_TIMEOUT', kind: 'duration', default: '1s', help: "one health check's time limit", role: 'worker' },
  healthFailures: { env: 'CUBE_HEALTH_FAILURES', kind: 'count', default: '3', help: 'consecutive failed checks that make a task Failed', role: 'worker' },
  restartLimit: { env: 'CUBE_RESTART_LIMIT', kind: 'count', default: '3', help: 'restarts before a task is left Failed', role: 'worker' },
  restartDelayMs: { env: 'CUBE_RESTART_DELAY', kind: 'duration', default: '10s', help: 'first restart delay, doubled each time (with jitter)', role: 'worker' },
  restartDelayMaxMs: { env: 'CUBE_RESTART_DELAY_MAX', kind: 'duration', default: '5m', help: 'cap on the restart delay', role: 'worker' },
  reconcileIntervalMs: { env: 'CUBE_RECONCILE_INTERVAL', kind: 'duration', default: '15s', help: 'safety-net comparison of desired and actual state' },
  heartbeatTtlMs: { env: 'CUBE_HEARTBEAT_TTL', kind: 'duration', default: '15s', help: 'silence after which a worker is down' },
  bookPollMs: {
    env: 'CUBE_BOOK_POLL_INTERVAL',
    kind: 'duration',
    default: '1s',
    help: "how often the manager polls a book-protocol worker's GET /tasks and GET /stats (its heartbeat)",
    role: 'manager',
  },
  retentionMs: {
    env: 'CUBE_RETENTION',
    kind: 'duration',
    default: '24h',
    help: 'how long a finished task (Completed, or Failed for good) is kept before a sweep prunes it',
  },
  retentionMax: {
    env: 'CUBE_RETENTION_MAX',
    kind: 'count',
    default: '10000',
    help: 'how many finished tasks are kept at most; beyond it the oldest are pruned first',
  },
  scheduler: { env: 'CUBE_SCHEDULER', kind: 'text', default: 'epvm', help: 'how the manager places tasks', choices: ['epvm', 'roundrobin'], role: 'manager' },
  dataDir: { env: 'CUBE_DATA_DIR', kind: 'text', default: () => join(homedir(), '.cube'), help: 'where state files live' },
  store: {
    env: 'CUBE_STORE',
    kind: 'text',
    default: 'sqlite',
    help: "where state is kept: sqlite files in the data dir, memory (lost on exit), or etcd (the manager's state, shared by several managers: docs/ha.md)",
    choices: ['sqlite', 'memory', 'etcd'],
  },
  etcd: {
    env: 'CUBE_ETCD',
    kind: 'text',
    default: 'http://127.0.0.1:2379',
    help: 'with CUBE_STORE=etcd: the etcd members, http://host:port,…',
    role: 'manager',
  },
  etcdPrefix: {
    env: 'CUBE_ETCD_PREFIX',
    kind: 'text',
    default: '/cube/',
    help: "where in etcd this cluster's keys live; two clusters on one etcd need two prefixes",
    role: 'manager',
  },
  etcdTimeoutMs: {
    env: 'CUBE_ETCD_TIMEOUT',
    kind: 'duration',
    default: '2s',
    help: 'limit of one etcd call: a command whose write is not confirmed in time is answered 503',
    role: 'manager',
  },
  leaderLeaseMs: {
    env: 'CUBE_LEADER_LEASE',
    kind: 'duration',
    default: '3s',
    help: "with etcd: how long a leader's lease lasts unrenewed (whole seconds, ≥ 2); a dead leader is replaced this long after its last renewal",
    role: 'manager',
  },
  leaderRenewMs: {
    env: 'CUBE_LEADER_RENEW',
    kind: 'duration',
    default: '1s',
    help: 'with etcd: how often the leader renews its lease; it stops leading when it could not renew for CUBE_LEADER_LEASE minus this',
    role: 'manager',
  },
  joinTtlMs: {
    env: 'CUBE_JOIN_TTL',
    kind: 'duration',
    default: '1h',
    help: "how long a manager keeps a joined worker's registration without a renewal (the worker renews every third of it, at most every 30 s)",
  },
  join: { env: 'CUBE_JOIN', kind: 'text', default: '', help: 'cube worker: the managers to join, host:port,… (any of them will do)', role: 'worker' },
  advertise: {
    env: 'CUBE_ADVERTISE',
    kind: 'text',
    default: '',
    help: 'host:port by which other managers and workers reach this one (default: the address it listens on)',
  },
  token: { env: 'CUBE_TOKEN', kind: 'text', default: '', help: 'when set, every API call must carry it as a bearer token' },
  runtime: {
    env: 'CUBE_RUNTIME',
    kind: 'text',
    default: 'docker',
    help: "what runs a worker's containers: docker, or fake (simulated containers that run nothing, for trying Cube at scale)",
    choices: ['docker', 'fake'],
    role: 'worker',
  },
  stopTimeoutMs: { env: 'CUBE_STOP_TIMEOUT', kind: 'duration', default: '10s', help: 'time a container gets to stop after SIGTERM before SIGKILL' },
  dockerTimeoutMs: {
    env: 'CUBE_DOCKER_TIMEOUT',
    kind: 'duration',
    default: '60s',
    help: 'idle limit of one Docker call, so a hung engine fails tasks instead of hanging them',
    role: 'worker',
  },
  allowedHosts: {
    env: 'CUBE_ALLOWED_HOSTS',
    kind: 'text',
    default: '',
    help: 'more Host names the APIs answer to, comma-separated (.example.com takes its subdomains, * any); localhost, IP addresses, the listen address and this hostname always work',
  },
  maxConnections: { env: 'CUBE_MAX_CONNECTIONS', kind: 'count', default: '1000', help: 'open connections an API accepts; more are closed at once (0: no cap)' },
  headersTimeoutMs: { env: 'CUBE_HEADERS_TIMEOUT', kind: 'duration', default: '10s', help: "time a client gets to send a request's headers (0: no limit)" },
  bodyTimeoutMs: {
    env: 'CUBE_BODY_TIMEOUT',
    kind: 'duration',
    default: '10s',
    help: 'time a client gets to send a request body once its headers are in; 408 after (0: no limit)',
  },
  requestTimeoutMs: {
    env: 'CUBE_REQUEST_TIMEOUT',
    kind: 'duration',
    default: '30s',
    help: 'hard limit on receiving a whole request, headers and body; the connection is closed after (0: no limit)',
  },
  keepAliveTimeoutMs: { env: 'CUBE_KEEP_ALIVE_TIMEOUT', kind: 'duration', default: '5s', help: 'how long an idle connection is kept open for a next request' },
  streamBuffer: {
    env: 'CUBE_STREAM_BUFFER',
    kind: 'count',
    default: '1048576',
    help: 'bytes of events a GET /events stream holds for a client that reads slowly; past it the client is dropped (told to resume with ?since=)',
  },
  logLineMax: {
    env: 'CUBE_LOG_LINE_MAX',
    kind: 'count',
    default: '1048576',
    help: "bytes kept of one line of a task's output (GET /tasks/{id}/logs); a longer line is cut and ends saying how long it was",
  },
  eventMax: {
    env: 'CUBE_EVENT_MAX',
    kind: 'count',
    default: '16777216',
    help: 'bytes of one event or answer the manager reads from a worker; a worker that sends a larger one is suspect, and its stream is dropped and opened again',
    role: 'manager',
  },
  bodyMax: { env: 'CUBE_BODY_MAX', kind: 'count', default: '262144', help: 'bytes of a request body an API reads; a larger one is answered 413' },
  recordMax: {
    env: 'CUBE_RECORD_MAX',
    kind: 'count',
    default: '1048576',
    help: 'bytes of one stored record (a row of the SQLite files, an etcd value) or file (cluster-id, TLS) read at start; a larger one is named and left unread',
  },
  tlsDir: {
    env: 'CUBE_TLS_DIR',
    kind: 'text',
    default: '',
    help: 'a folder made by cube tls init: the APIs serve HTTPS, ask for certificates of its CA and the manager presents its own to workers (unset: plain HTTP)',
  },
  labels: {
    env: 'CUBE_LABEL',
    kind: 'labels',
    default: '',
    help: 'labels of this worker that tasks constrain and services spread on, key=value,… (the flag may be given several times: --label zone=a --label disk=ssd)',
    role: 'worker',
  },
  memory: {
    env: 'CUBE_MEMORY',
    kind: 'size',
    default: '0',
    help: "memory the worker offers to tasks, like 8g (0: the machine's); the manager places no more than this",
    role: 'worker',
  },
  cpus: { env: 'CUBE_CPUS', kind: 'cpus', default: '0', help: "CPUs the worker offers to tasks, like 2 or 1.5 (0: the machine's)", role: 'worker' },
  disk: {
    env: 'CUBE_DISK',
    kind: 'size',
    default: '0',
    help: "disk the worker offers to tasks, like 100g (0: the free space of the data dir's file system)",
    role: 'worker',
  },
  publishHost: {
    env: 'CUBE_PUBLISH_HOST',
    kind: 'ip',
    default: '',
    help: "host address task ports are published on, like 127.0.0.1 (unset: every address, Docker's default)",
    role: 'worker',
  },
  volumeRoot: {
    env: 'CUBE_VOLUME_ROOT',
    kind: 'text',
    default: '',
    help: 'host paths tasks may bind (a "bind" mount), with what is below them: absolute paths like /srv/cube, the flag once per path or comma-separated (unset: none)',
    role: 'worker',
    repeatable: true,
    check: (text) =>
      listOf(text).find((path) => !isAbsolute(path) || normalize(path) !== path.replace(/(.)\/$/, '$1'))
        ? `${JSON.stringify(text)} is not a list of absolute paths written plainly, like /srv/cube,/data`
        : undefined,
  },
  inspect: {
    env: 'CUBE_INSPECT',
    kind: 'switch',
    default: '0',
    help: "send the actors' events to the Stately inspector (its page needs internet in the browser)",
  },
  inspectPort: { env: 'CUBE_INSPECT_PORT', kind: 'count', default: '8080', help: 'where the inspector relay listens (its page and its WebSocket)' },
  inspectUrl: { env: 'CUBE_INSPECT_URL', kind: 'text', default: '', help: 'send inspection events to this WebSocket instead of starting a relay' },
} as const satisfies Record<string, SettingSpec>;

type Specs = typeof settingSpecs;
type ValueOf<K extends Kind> = K extends 'text' | 'ip' ? string : K extends 'switch' ? boolean : K extends 'labels' ? Labels : number;
export type Settings = { -readonly [N in keyof Specs]: ValueOf<Specs[N]['kind']> };

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** `CUBE_HEALTH_INTERVAL` → `--health-interval`. */
export const flagOf = (env: string) =>
  `--${env
    .replace(/^CUBE_/, '')
    .toLowerCase()
    .replace(/_/g, '-')}`;

const defaultOf = (spec: SettingSpec) => (typeof spec.default === 'function' ? spec.default() : spec.default);

function parse(spec: SettingSpec, text: string, from: string): number | string | boolean | Labels {
  switch (spec.kind) {
    case 'size': {
      const bytes = bytesOf(text);
      if (bytes === undefined) throw new SettingsError(`${from}: ${JSON.stringify(text)} is not a size; write it like 512m, 8g or 1t (0: the machine's)`);
      return bytes;
    }
    case 'cpus':
      if (!/^\d+(\.\d+)?$/.test(text.trim())) throw new SettingsError(`${from}: ${JSON.stringify(text)} is not a number of CPUs like 2 or 1.5`);
      return Number(text);
    case 'labels': {
      const labels: Labels = {};
      for (const item of text.split(',').filter((t) => t.trim() !== '')) {
        const label = parseLabel(item.trim(), false);
        if (typeof label === 'string') throw new SettingsError(`${from}: ${label}`);
        labels[label[0]] = label[1]!;
      }
      return labels;
    }
    case 'duration': {
      const ms = parseDuration(text);
      if (ms === undefined) throw new SettingsError(`${from}: ${JSON.stringify(text)} is not a duration; write it like 250ms, 10s or 5m`);
      return ms;
    }
    case 'count':
      if (!/^\d+$/.test(text.trim())) throw new SettingsError(`${from}: ${JSON.stringify(text)} is not a whole number ≥ 0`);
      return Number(text);
    case 'switch':
      if (!['', '0', '1', 'true', 'false'].includes(text)) throw new SettingsError(`${from}: expected 1 or 0, got ${JSON.stringify(text)}`);
      return text === '1' || text === 'true' || text === '';
    case 'ip':
      if (text !== '' && isIP(text) === 0)
        throw new SettingsError(`${from}: ${JSON.stringify(text)} is not an IP address; write it like 127.0.0.1, or leave it unset for every address`);
      return text;
    case 'text':
      if (spec.choices && !spec.choices.includes(text)) {
        throw new SettingsError(`${from}: ${JSON.stringify(text)} is not one of ${spec.choices.join(', ')}`);
      }
      if (spec.check?.(text)) throw new SettingsError(`${from}: ${spec.check(text)}`);
      return text;
  }
}

/**
 * Reads every setting: `flags` (by flag name, without dashes: `health-interval`)
 * win over `env`, which wins over the defaults.
 */
export function readSettings(flags: Record<string, string> = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  const settings: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(settingSpecs) as [string, SettingSpec][]) {
    const flag = flagOf(spec.env);
    const fromFlag = flags[flag.slice(2)];
    if (fromFlag !== undefined) settings[name] = parse(spec, fromFlag, flag);
    else if (env[spec.env] !== undefined && env[spec.env] !== '') settings[name] = parse(spec, env[spec.env]!, spec.env);
    else settings[name] = parse(spec, defaultOf(spec), `default of ${spec.env}`);
  }
  return settings as Settings;
}

/** The settings read by a server of these roles (both when `roles` holds both). */
export function settingsFor(roles: readonly Role[]): { name: string; spec: SettingSpec }[] {
  return (Object.entries(settingSpecs) as [string, SettingSpec][])
    .filter(([, spec]) => spec.role === undefined || roles.includes(spec.role))
    .map(([name, spec]) => ({ name, spec }));
}

/** The settings flags of a server of these roles, for --help. */
export function settingsHelp(roles: readonly Role[] = ['worker', 'manager']): string {
  return settingsFor(roles)
    .map(({ spec }) => {
      const shown = defaultOf(spec) === '' ? 'unset' : defaultOf(spec);
      return `  ${flagOf(spec.env).padEnd(22)} ${spec.env.padEnd(24)} ${spec.help} (default ${shown})`;
    })
    .join('\n');
}
