// Placement identity (docs/architecture.md §7, "Placements"). A placement is
// one decision to run a task on one worker; its ID travels with every command
// and report, and on the container's labels, so a report, event or container
// of an older placement is told apart from the current one. A restart by the
// restart policy on the same worker continues its placement: `<placement>#<n>`.

/** The placement a restart in place continues: `abc.7#2` → `abc.7`. */
export const placementBase = (placement: string): string => {
  const hash = placement.indexOf('#');
  return hash < 0 ? placement : placement.slice(0, hash);
};

/** Whether two placement IDs are the same placement, counting restarts in place as the same. */
export const samePlacement = (a: string, b: string): boolean => placementBase(a) === placementBase(b);

/** The placement of the `restart`-th restart in place of `placement`. */
export const restartedPlacement = (placement: string, restart: number): string => (placement === '' ? '' : `${placementBase(placement)}#${restart}`);

/**
 * A new placement ID made by the manager: unique per manager start
 * (`incarnation`, chosen by src/ at start) and per decision (`seq`, the ledger's
 * version counter), so the machine draws no random numbers.
 */
export const newPlacementId = (incarnation: string, seq: number): string => `${incarnation}.${seq.toString(36)}`;

/** A placement ID made by a worker for a client's POST that names none: never ordered against the manager's. */
export const workerPlacementId = (worker: string, seq: number): string => `${seq.toString(36)}@${worker}`;

/** A placement the manager made: `<incarnation>.<seq>`. */
const MANAGER_PLACEMENT = /^([\w-]{1,32})\.([0-9a-z]{1,12})$/;

/** The decision number of a placement the manager made (`<incarnation>.<seq>`), or undefined for others. */
export const decision = (placement: string): number | undefined => {
  const match = MANAGER_PLACEMENT.exec(placementBase(placement));
  return match ? parseInt(match[2]!, 36) : undefined;
};

/** The manager's start that made a placement (its `<incarnation>`), or "" for a placement a worker made or none. */
export const placementIncarnation = (placement: string): string => MANAGER_PLACEMENT.exec(placementBase(placement))?.[1] ?? '';

/**
 * Whether placement `a` was decided after placement `b`: the manager numbers
 * its decisions with its version counter, which only grows, across its
 * restarts too (src/vocabulary/version.ts). Placements it did not make (a
 * client's POST on a worker) are never newer or older than anything.
 */
export function isNewerPlacement(a: string, b: string): boolean {
  const [x, y] = [decision(a), decision(b)];
  return x !== undefined && y !== undefined && x > y;
}
