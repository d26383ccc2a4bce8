// What a task mounts (docs/spec.md §1 `Mounts`): a named volume that outlives
// its containers, a host path under a root its worker allows, or a tmpfs. The
// words every layer shares about them: the codec checks them, the runtime makes
// them, the manager places by them. Data and pure helpers only.

export const mountTypes = ['volume', 'bind', 'tmpfs'] as const;
export type MountType = (typeof mountTypes)[number];

export interface Mount {
  Type: MountType;
  /** A volume's name, or a bind's absolute host path; "" for tmpfs. */
  Source: string;
  /** Where it appears in the container: an absolute path. */
  Target: string;
  ReadOnly: boolean;
  /** tmpfs only: its size in bytes (0: Docker's default, half the host's memory). */
  Size: number;
}

/** The named volumes a task uses, in its order. */
export const volumeNames = (mounts: readonly Mount[]): string[] => mounts.filter((m) => m.Type === 'volume').map((m) => m.Source);

/** The host paths a task binds. */
export const bindSources = (mounts: readonly Mount[]): string[] => mounts.filter((m) => m.Type === 'bind').map((m) => m.Source);

/** Whether `path` (absolute, normalised) is `root` or below it. */
export const isUnder = (path: string, root: string): boolean => {
  const base = root.endsWith('/') ? root : `${root}/`;
  return path === root || path.startsWith(base) || root === '/';
};

/** The binds of `mounts` that no root in `roots` allows. */
export const bindsOutside = (mounts: readonly Mount[], roots: readonly string[]): string[] =>
  bindSources(mounts).filter((source) => !roots.some((root) => isUnder(source, root)));

/**
 * A service copy's mounts: each named volume gets the copy's slot
 * (`pgdata` in slot 1 is `pgdata-1`), so every copy keeps data of its own and a
 * slot filled again finds the data its slot had (docs/spec.md §9).
 */
export const slotMounts = (mounts: readonly Mount[], slot: number): Mount[] =>
  mounts.map((m) => (m.Type === 'volume' ? { ...m, Source: `${m.Source}-${slot}` } : m));
