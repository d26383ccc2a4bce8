// The Completed tasks a process keeps (machines/done-tasks.ts): packed rows
// read back as the DoneTasks they were, objects win over packed rows, a
// chunk with nothing kept is let go, and the inspector sees a count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DoneTasks, PACKED } from '../../machines/done-tasks.js';
import type { DoneTask } from '../../src/vocabulary/retention.js';

const done = (id: string, version: number, fields: Partial<DoneTask> = {}): DoneTask => ({
  ID: id,
  Worker: 'w1',
  Placement: `p.${id}`,
  SubmitTime: `2026-01-01T00:00:0${version}.000Z`,
  FinishTime: `2026-01-01T01:00:0${version}.000Z`,
  Version: version,
  ...fields,
});
const pack = (tasks: DoneTask[]) => tasks.map((t) => PACKED.fields.map((f) => String(t[f])).join(PACKED.field)).join(PACKED.row);

test('packed rows read back as the DoneTasks they were, by ID and in a listing', () => {
  const tasks = [done('a', 1), done('b', 2, { Worker: '' }), done('c', 3)];
  const kept = new DoneTasks();
  assert.equal(kept.addPacked(pack(tasks)), 3);
  assert.equal(kept.size, 3);
  assert.deepEqual(kept.get('b'), tasks[1]);
  assert.equal(kept.get('d'), undefined);
  assert.ok(kept.has('c') && !kept.has('d'));
  assert.deepEqual([...kept.values()], tasks);
  assert.deepEqual([...kept.keys()], ['a', 'b', 'c']);
  assert.deepEqual(
    [...kept.times('SubmitTime')],
    tasks.map((t) => [t.ID, t.SubmitTime]),
  );
  assert.deepEqual(
    [...kept.times('FinishTime')],
    tasks.map((t) => [t.ID, t.FinishTime]),
  );
  assert.equal(kept.newestVersion, 3);
  assert.equal(new DoneTasks().addPacked(''), 0);
});

test('a task set as an object replaces its packed row, and a later packed row replaces either', () => {
  const kept = new DoneTasks();
  kept.addPacked(pack([done('a', 1), done('b', 2)]));
  const again = done('a', 9, { Placement: 'p.again' });
  kept.set('a', again);
  assert.equal(kept.size, 2);
  assert.deepEqual(kept.get('a'), again);
  assert.equal(kept.newestVersion, 9);
  assert.deepEqual(
    [...kept.times('FinishTime')],
    [
      ['b', done('b', 2).FinishTime],
      ['a', again.FinishTime],
    ],
  );
  kept.addPacked(pack([done('a', 4)]));
  assert.deepEqual(kept.get('a'), done('a', 4));
  assert.equal(kept.size, 2);
});

test('deleting forgets a task either way; a chunk none of whose rows is kept is let go', () => {
  const kept = DoneTasks.of([done('x', 1)]);
  kept.addPacked(pack([done('a', 1), done('b', 2)]));
  assert.equal(kept.delete('a'), true);
  assert.equal(kept.delete('a'), false);
  assert.equal(kept.delete('x'), true);
  assert.equal(kept.has('a') || kept.has('x'), false);
  const chunks = (kept as unknown as { chunks: string[] }).chunks;
  assert.notEqual(chunks[0], '', 'b is still kept from the chunk');
  kept.delete('b');
  assert.equal(chunks[0], '', 'let go');
  assert.equal(kept.size, 0);
});

test('the inspector is shown how many there are, not the packed rows', () => {
  const kept = new DoneTasks();
  kept.addPacked(pack([done('a', 1), done('b', 2)]));
  assert.equal(JSON.stringify({ done: kept }), '{"done":{"size":2}}');
});
