// Which shard holds which task actor. Spawning a child copies its parent's
// children map (docs/architecture.md §3), so a shard holds at most `capacity` task
// actors and a new shard opens when all are full: creating a task then costs
// the same with 100 or 100,000 tasks. A Completed task's slot is reused.
//
// A shard also has a lifetime: after it has spawned `lifetime` task actors
// (by default as many as it holds) it takes no more, and once its last one is
// gone the worker stops it. XState memoizes a machine's transition lookups per
// event type, and a child's snapshot and done events carry the child's id in
// their type, so a shard that lived for ever would keep two entries for every
// task it ever ran; each shard gets a machine definition of its own, dropped
// with it, so what a worker keeps follows the tasks it holds, not those it ran.
// Mutated in place, like the manager's ledger, for O(1) updates.

export interface ShardPool {
  capacity: number;
  /** How many task actors a shard spawns in its life. */
  lifetime: number;
  /** Task id → the shard that holds its actor. */
  of: Map<string, string>;
  /** Shard id → how many task actors it holds. */
  sizes: Map<string, number>;
  /** Shard id → how many task actors it has spawned so far. */
  spawned: Map<string, number>;
  /** Shards with room, the most recently freed last. */
  open: string[];
  next: number;
}

export function newShardPool(capacity = 64, lifetime = capacity): ShardPool {
  return { capacity, lifetime: Math.max(lifetime, capacity), of: new Map(), sizes: new Map(), spawned: new Map(), open: [], next: 0 };
}

/** Picks a shard for a new task actor; `opened` is true when the caller must spawn that shard. */
export function place(pool: ShardPool, taskId: string): { shard: string; opened: boolean } {
  let shard = pool.open.at(-1);
  const opened = shard === undefined;
  if (shard === undefined) {
    shard = `shard-${pool.next++}`;
    pool.open.push(shard);
    pool.sizes.set(shard, 0);
    pool.spawned.set(shard, 0);
  }
  const size = pool.sizes.get(shard)! + 1;
  const spawned = pool.spawned.get(shard)! + 1;
  pool.sizes.set(shard, size);
  pool.spawned.set(shard, spawned);
  if (size >= pool.capacity || spawned >= pool.lifetime) pool.open.pop();
  pool.of.set(taskId, shard);
  return { shard, opened };
}

/**
 * A task actor is gone (its task Completed, or pruned): its shard has room
 * again, unless its life is over. Returns the shard when it is over and empty:
 * the caller stops it.
 */
export function release(pool: ShardPool, taskId: string): string | undefined {
  const shard = pool.of.get(taskId);
  if (shard === undefined) return undefined;
  pool.of.delete(taskId);
  const size = pool.sizes.get(shard)! - 1;
  const retired = pool.spawned.get(shard)! >= pool.lifetime;
  if (retired && size === 0) {
    pool.sizes.delete(shard);
    pool.spawned.delete(shard);
    return shard;
  }
  pool.sizes.set(shard, size);
  if (!retired && size === pool.capacity - 1) pool.open.push(shard);
  return undefined;
}
