// Which shard holds which task actor. Spawning a child copies its parent's
// children map (docs/architecture.md §3), so a shard holds at most `capacity` task
// actors and a new shard opens when all are full: creating a task then costs
// the same with 100 or 100,000 tasks. A Completed task's slot is reused.
// Mutated in place, like the manager's book, for O(1) updates.

export interface ShardPool {
  capacity: number;
  /** Task id → the shard that holds its actor. */
  of: Map<string, string>;
  /** Shard id → how many task actors it holds. */
  sizes: Map<string, number>;
  /** Shards with room, the most recently freed last. */
  open: string[];
  next: number;
}

export function newShardPool(capacity = 64): ShardPool {
  return { capacity, of: new Map(), sizes: new Map(), open: [], next: 0 };
}

/** Picks a shard for a new task actor; `opened` is true when the caller must spawn that shard. */
export function place(pool: ShardPool, taskId: string): { shard: string; opened: boolean } {
  let shard = pool.open.at(-1);
  const opened = shard === undefined;
  if (shard === undefined) {
    shard = `shard-${pool.next++}`;
    pool.open.push(shard);
    pool.sizes.set(shard, 0);
  }
  const size = pool.sizes.get(shard)! + 1;
  pool.sizes.set(shard, size);
  if (size >= pool.capacity) pool.open.pop();
  pool.of.set(taskId, shard);
  return { shard, opened };
}

/** A task actor is gone (its task Completed): its shard has room again. */
export function release(pool: ShardPool, taskId: string): void {
  const shard = pool.of.get(taskId);
  if (shard === undefined) return;
  pool.of.delete(taskId);
  const size = pool.sizes.get(shard)! - 1;
  pool.sizes.set(shard, size);
  if (size === pool.capacity - 1) pool.open.push(shard);
}
