// The shard pool keeps every shard at or under its capacity, opens a shard only
// when all are full, reuses the slots of Completed tasks, and retires a shard
// that has spawned its lifetime's task actors once the last of them is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newShardPool, place, release } from '../../machines/shard-pool.js';

test('shards fill to their capacity, then a new one opens', { timeout: 10_000 }, () => {
  const pool = newShardPool(4);
  const placed = Array.from({ length: 10 }, (_, i) => place(pool, `t${i}`));
  assert.deepEqual(
    placed.filter((p) => p.opened).map((p) => p.shard),
    ['shard-0', 'shard-1', 'shard-2'],
  );
  assert.deepEqual([...pool.sizes.values()], [4, 4, 2]);
  assert.equal(pool.of.get('t5'), 'shard-1');
});

test("a released slot is reused before any new shard opens, within the shard's lifetime", { timeout: 10_000 }, () => {
  const pool = newShardPool(2, 8);
  for (const id of ['a', 'b', 'c', 'd']) place(pool, id);
  release(pool, 'b');
  const next = place(pool, 'e');
  assert.deepEqual(next, { shard: 'shard-0', opened: false });
  assert.equal(place(pool, 'f').opened, true, 'all full again: a new shard');
  release(pool, 'unknown');
  assert.ok([...pool.sizes.values()].every((size) => size <= 2));
});

test('with 100,000 tasks no shard holds more than its capacity', { timeout: 10_000 }, () => {
  const pool = newShardPool(64);
  for (let i = 0; i < 100_000; i++) place(pool, `t${i}`);
  for (let i = 0; i < 100_000; i += 3) release(pool, `t${i}`);
  for (let i = 0; i < 30_000; i++) place(pool, `u${i}`);
  assert.ok(Math.max(...pool.sizes.values()) <= 64);
  assert.equal(pool.of.size, 100_000 - 33_334 + 30_000);
});

test('a shard takes no new task after its lifetime, and is handed back for stopping once empty', { timeout: 10_000 }, () => {
  const pool = newShardPool(2, 4);
  for (const id of ['a', 'b']) place(pool, id);
  assert.equal(release(pool, 'a'), undefined);
  place(pool, 'c');
  assert.equal(release(pool, 'b'), undefined);
  assert.deepEqual(place(pool, 'd'), { shard: 'shard-0', opened: false }, 'its fourth task actor: its last');
  assert.equal(release(pool, 'c'), undefined, 'retired, but d is still in it');
  assert.deepEqual(place(pool, 'e'), { shard: 'shard-1', opened: true }, 'a retired shard has no room');
  assert.equal(release(pool, 'd'), 'shard-0', 'empty and retired: the caller stops it');
  assert.equal(pool.sizes.has('shard-0'), false);
  assert.equal(release(pool, 'd'), undefined, 'released once');
});

test('over a long life the shards alive are bounded by the tasks alive, not by those ever run', { timeout: 10_000 }, () => {
  const pool = newShardPool(4, 16);
  const alive: string[] = [];
  let stopped = 0;
  for (let i = 0; i < 10_000; i++) {
    place(pool, `t${i}`);
    alive.push(`t${i}`);
    if (alive.length > 10) stopped += Number(release(pool, alive.shift()!) !== undefined);
  }
  assert.ok(pool.sizes.size <= 5, `${pool.sizes.size} shards alive for 10 tasks`);
  assert.ok(stopped >= 10_000 / 16 - 5, `${stopped} shards retired`);
  assert.equal(pool.of.size, 10);
});
