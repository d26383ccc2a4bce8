// The shard pool keeps every shard at or under its capacity, opens a shard only
// when all are full, and reuses the slots of Completed tasks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newShardPool, place, release } from '../../machines/shard-pool.js';

test('shards fill to their capacity, then a new one opens', () => {
  const pool = newShardPool(4);
  const placed = Array.from({ length: 10 }, (_, i) => place(pool, `t${i}`));
  assert.deepEqual(
    placed.filter((p) => p.opened).map((p) => p.shard),
    ['shard-0', 'shard-1', 'shard-2'],
  );
  assert.deepEqual([...pool.sizes.values()], [4, 4, 2]);
  assert.equal(pool.of.get('t5'), 'shard-1');
});

test('a released slot is reused before any new shard opens', () => {
  const pool = newShardPool(2);
  for (const id of ['a', 'b', 'c', 'd']) place(pool, id);
  release(pool, 'b');
  const next = place(pool, 'e');
  assert.deepEqual(next, { shard: 'shard-0', opened: false });
  assert.equal(place(pool, 'f').opened, true, 'all full again: a new shard');
  release(pool, 'unknown');
  assert.ok([...pool.sizes.values()].every((size) => size <= 2));
});

test('with 100,000 tasks no shard holds more than its capacity', () => {
  const pool = newShardPool(64);
  for (let i = 0; i < 100_000; i++) place(pool, `t${i}`);
  for (let i = 0; i < 100_000; i += 3) release(pool, `t${i}`);
  for (let i = 0; i < 30_000; i++) place(pool, `u${i}`);
  assert.ok(Math.max(...pool.sizes.values()) <= 64);
  assert.equal(pool.of.size, 100_000 - 33_334 + 30_000);
});
