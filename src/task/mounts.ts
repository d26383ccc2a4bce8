// The `Mounts` of a task (docs/spec.md §1), checked as every key is: each
// problem names its path (`Task.Mounts[0].Source`) and what was expected. Which
// host paths a bind may use is not the codec's to say: the worker allows roots
// (--volume-root), and the manager and the worker hold binds to them
// (src/vocabulary/mounts.ts, `bindsOutside`).
import { posix } from 'node:path';
import { mountTypes, type Mount } from '../vocabulary/mounts.js';
import { bytesOf } from './units.js';

type Check = (value: unknown, path: string) => string | undefined;

const MAX_MOUNTS = 64;
/** Docker's grammar of volume names (at least two characters). */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,127}$/;
/** A mount's keys: every type has them all (a record read back has each filled), but a tmpfs has no Source, and only a tmpfs a Size. */
const KEYS = ['Type', 'Source', 'Target', 'ReadOnly', 'Size'];

const shown = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : (JSON.stringify(value) ?? String(value)));

/** An absolute path written once, plainly: no "..", ".", "//" or NUL, which would let a path mean another. */
function plainPath(value: unknown, path: string, what: string): string | undefined {
  if (typeof value !== 'string' || value === '') return `${path}: required, ${what} (an absolute path like "/data"), got ${shown(value)}`;
  if (value.length > 4096) return `${path}: at most 4096 characters, got ${value.length}`;
  const trimmed = value.length > 1 ? value.replace(/\/$/, '') : value;
  if (!value.startsWith('/') || value.includes('\0') || posix.normalize(trimmed) !== trimmed) {
    return `${path}: ${shown(value)} is not ${what} written plainly: an absolute path with no "..", "." or "//" in it, like "/data"`;
  }
  return undefined;
}

function checkMount(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${path}: expected a mount like {"Type": "volume", "Source": "pgdata", "Target": "/data"}, got ${shown(value)}`;
  }
  const mount = value as Record<string, unknown>;
  const type = mount['Type'];
  if (typeof type !== 'string' || !(mountTypes as readonly string[]).includes(type)) {
    return `${path}.Type: expected one of ${mountTypes.map((t) => `"${t}"`).join(', ')}, got ${shown(type)}`;
  }
  const unknown = Object.keys(mount).find((key) => !KEYS.includes(key));
  if (unknown !== undefined) return `${path}: "${unknown}" is not a key of a mount (known keys: ${KEYS.join(', ')})`;
  if (type !== 'tmpfs' && mount['Size'] !== undefined && mount['Size'] !== 0) return `${path}.Size: only a tmpfs mount has a size; leave Size out`;
  if (mount['ReadOnly'] !== undefined && typeof mount['ReadOnly'] !== 'boolean')
    return `${path}.ReadOnly: expected true or false, got ${shown(mount['ReadOnly'])}`;
  if (type === 'volume') {
    const source = mount['Source'];
    if (typeof source !== 'string' || !VOLUME_NAME.test(source)) {
      return `${path}.Source: expected a volume name: 2…128 of letters, digits, "_", "." or "-", starting with a letter or digit, like "pgdata"; got ${shown(source)}`;
    }
  }
  if (type === 'bind') {
    const problem = plainPath(mount['Source'], `${path}.Source`, 'the host path to bind');
    if (problem) return problem;
  }
  if (type === 'tmpfs') {
    if (mount['Source'] !== undefined && mount['Source'] !== '') return `${path}.Source: a tmpfs has no source; leave Source out`;
    const size = mount['Size'];
    const bytes = typeof size === 'string' ? bytesOf(size) : size;
    if (size !== undefined && (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0)) {
      return `${path}.Size: expected bytes, or a size as Docker writes it: "64m", "1g"; got ${shown(size)}`;
    }
  }
  const target = plainPath(mount['Target'], `${path}.Target`, 'where the mount appears in the container');
  if (target) return target;
  if (mount['Target'] === '/') return `${path}.Target: "/" is the container's root; mount below it, like "/data"`;
  return undefined;
}

/** The check of a task's `Mounts`: a list of mounts whose targets differ. */
export const checkMounts: Check = (value, path) => {
  if (!Array.isArray(value)) return `${path}: expected a list of mounts like [{"Type": "volume", "Source": "pgdata", "Target": "/data"}], got ${shown(value)}`;
  if (value.length > MAX_MOUNTS) return `${path}: at most ${MAX_MOUNTS} mounts, got ${value.length}`;
  const targets = new Map<string, number>();
  for (const [i, mount] of value.entries()) {
    const problem = checkMount(mount, `${path}[${i}]`);
    if (problem) return problem;
    const target = ((mount as Mount).Target.length > 1 ? (mount as Mount).Target.replace(/\/$/, '') : '/') as string;
    const before = targets.get(target);
    if (before !== undefined) return `${path}[${i}].Target: ${shown(target)} is the target of ${path}[${before}] too; each mount needs a target of its own`;
    targets.set(target, i);
  }
  return undefined;
};

/** Checked mounts with every key filled: ReadOnly false, Source "" and Size 0 where not given, sizes in bytes. */
export function readMounts(value: readonly Record<string, unknown>[]): Mount[] {
  return value.map((m) => {
    const size = m['Size'];
    return {
      Type: m['Type'] as Mount['Type'],
      Source: m['Type'] === 'tmpfs' ? '' : (m['Source'] as string),
      Target: m['Target'] as string,
      ReadOnly: m['ReadOnly'] === true,
      Size: typeof size === 'string' ? (bytesOf(size) ?? 0) : typeof size === 'number' ? size : 0,
    };
  });
}
