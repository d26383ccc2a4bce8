// Flags that several commands share, and the settings flags of the servers.
import { flagOf, isRepeatable, settingsFor, type Role } from '../config/settings.js';
import { UsageError, type Flag, type Flags } from './args.js';

export const helpFlag: Flags = { help: { type: 'boolean', short: 'h', help: 'print this help' } };

export const managerFlag: Flags = {
  manager: {
    type: 'string',
    short: 'm',
    value: 'HOST:PORT',
    help: 'the manager, or several separated by commas, tried in turn (else CUBE_MANAGER, else localhost:5556)',
  },
  'tls-dir': {
    type: 'string',
    value: 'DIR',
    help: 'a folder made by cube tls init: reach the manager over HTTPS with its client certificate (else CUBE_TLS_DIR)',
    complete: 'dir',
  },
};

export const outputFlags: Flags = {
  output: {
    type: 'string',
    short: 'o',
    value: 'FORMAT',
    help: 'table (the default) or json: what the manager answers, pretty-printed',
    complete: ['table', 'json'],
  },
  json: { type: 'boolean', help: 'the same as -o json' },
};

export const noTruncFlag: Flags = {
  'no-trunc': { type: 'boolean', help: 'whole IDs, and no column cut to fit 120 columns' },
};

export type Output = 'table' | 'json';

/** The output format asked for with -o/--output or --json. */
export function outputOf(flags: Record<string, string>): Output {
  const asked = flags['output'];
  if (asked !== undefined && asked !== 'table' && asked !== 'json')
    throw new UsageError(`-o/--output: ${JSON.stringify(asked)} is not a format; use -o table or -o json`);
  if (flags['json'] !== undefined && asked === 'table') throw new UsageError('--json and -o table disagree; give one of them');
  return flags['json'] !== undefined ? 'json' : (asked ?? 'table');
}

const placeholder = { duration: 'DURATION', count: 'N', text: 'TEXT', switch: '', ip: 'ADDRESS', size: 'SIZE', cpus: 'CPUS', labels: 'KEY=VALUE' } as const;

/** The settings of these roles as flags: --health-interval DURATION and so on. */
export function settingsFlags(roles: readonly Role[]): Flags {
  const flags: Flags = {};
  for (const { spec } of settingsFor(roles)) {
    const flag: Flag =
      spec.kind === 'switch'
        ? { type: 'boolean', help: spec.help }
        : {
            type: 'string',
            value: spec.choices ? spec.choices.join('|') : placeholder[spec.kind],
            help: spec.help,
            ...(isRepeatable(spec) ? { multiple: true } : {}),
          };
    flags[flagOf(spec.env).slice(2)] = flag;
  }
  return flags;
}

/** For a settings flag a server of these roles does not take: who does. */
export function settingElsewhere(flag: string, roles: readonly Role[]): string | undefined {
  const other = settingsFor(['worker', 'manager']).find(({ spec }) => flagOf(spec.env) === flag && spec.role && !roles.includes(spec.role));
  if (!other) return undefined;
  return other.spec.role === 'worker'
    ? `${flag} is a worker setting: give it to cube worker (or cube start)`
    : `${flag} is a manager setting: give it to cube manager (or cube start)`;
}
