// Lanes (src/actors/lanes.ts): work in order per key, keys side by side, a
// failure ends only its own work, and idle() waits for work queued meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lanes } from '../../src/actors/lanes.js';

/** A promise and the functions that settle it. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  return { promise, open, fail };
}

test('work under one key runs in order, a failure does not block the next, and other keys do not wait', { timeout: 10_000 }, async () => {
  const lanes = new Lanes();
  const seen: string[] = [];
  const first = gate();
  const a1 = lanes.run('a', async () => {
    seen.push('a1 start');
    await first.promise;
    seen.push('a1 end');
  });
  const a2 = lanes.run('a', async () => void seen.push('a2'));
  await lanes.run('b', async () => void seen.push('b1'));
  assert.deepEqual(seen, ['a1 start', 'b1'], 'b ran while a1 was under way; a2 waits');
  first.fail(new Error('a1 failed'));
  await assert.rejects(a1, /a1 failed/);
  await a2;
  assert.deepEqual(seen, ['a1 start', 'b1', 'a2']);
});

test('idle() resolves once every lane is empty, including work queued while it waited', { timeout: 10_000 }, async () => {
  const lanes = new Lanes();
  const g = gate();
  let later = false;
  void lanes.run('a', async () => {
    await g.promise;
    void lanes.run('a', async () => void (later = true));
  });
  const idle = lanes.idle();
  g.open();
  await idle;
  assert.equal(later, true);
});
