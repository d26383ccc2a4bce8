// The Completed tasks a process keeps (machines/done-tasks.ts): packed rows
// read back as the DoneTasks they were, objects win over packed rows, a
// chunk with nothing kept is let go, and the inspector sees a count; a
// worker's archived tasks and tombstones are read when named, and what it
// changes since wins (machines/archive.ts, machines/tombstones.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Archive } from '../../machines/archive.js';
import { DoneTasks, PACKED } from '../../machines/done-tasks.js';
import { Tombstones } from '../../machines/tombstones.js';
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

test('packed rows read back as the DoneTasks they were, by ID and in a listing', { timeout: 10_000 }, () => {
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

test('a task set as an object replaces its packed row, and a later packed row replaces either', { timeout: 10_000 }, () => {
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

test('deleting forgets a task either way; a chunk none of whose rows is kept is let go', { timeout: 10_000 }, () => {
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

test('the inspector is shown how many there are, not the packed rows', { timeout: 10_000 }, () => {
  const kept = new DoneTasks();
  kept.addPacked(pack([done('a', 1), done('b', 2)]));
  assert.equal(JSON.stringify({ done: kept }), '{"done":{"size":2}}');
});

/** An archive over a list (machines/archive.ts), counting what is asked of it. */
function listArchive(tasks: DoneTask[], stopped: Record<string, string[]> = {}) {
  const asked: string[] = [];
  const archive: Archive = {
    count: tasks.length,
    newestVersion: Math.max(...tasks.map((t) => t.Version)),
    get: (id) => (asked.push(`get ${id}`), tasks.find((t) => t.ID === id)),
    all: () => (asked.push('all'), tasks),
    newerThan: (version) => (asked.push(`newer ${version}`), tasks.filter((t) => t.Version > version)),
    byFinish: () => (asked.push('byFinish'), tasks.map((t) => [t.ID, Date.parse(t.FinishTime)])),
    tombstones: (id) => (asked.push(`tombstones ${id}`), stopped[id]),
    buriedBefore: () => (asked.push('buried'), Object.keys(stopped).filter((id) => !tasks.some((t) => t.ID === id))),
  };
  return { archive, asked };
}

test('archived tasks are read when named, and what is set or forgotten since wins', { timeout: 10_000 }, () => {
  const { archive, asked } = listArchive([done('a', 1), done('b', 2), done('c', 3)]);
  const kept = new DoneTasks(archive);
  assert.equal(asked.length, 0, 'nothing read at start');
  assert.equal(kept.size, 3);
  assert.equal(kept.newestVersion, 3);
  assert.deepEqual(kept.get('b'), done('b', 2));
  assert.equal(kept.has('x'), false);
  assert.equal(kept.delete('a'), true);
  assert.equal(kept.has('a'), false);
  assert.equal(kept.delete('a'), false);
  kept.set('b', done('b', 7, { Placement: 'p.again' }));
  assert.equal(kept.get('b')?.Placement, 'p.again');
  kept.set('d', done('d', 8));
  assert.equal(kept.size, 3, 'c archived; b and d in memory');
  assert.equal(kept.archivedCount, 1);
  assert.deepEqual([...kept.keys()].sort(), ['b', 'c', 'd']);
  assert.deepEqual(
    [...kept.archivedByFinish()].map(([id]) => id),
    ['c'],
    'forgotten ones are not swept again',
  );
  asked.length = 0;
  assert.deepEqual(
    [...kept.changedSince(3)].map((t) => t.ID),
    ['b', 'd'],
  );
  assert.deepEqual(asked, [], 'no archived task is newer than 3: the store is not asked');
  assert.deepEqual(
    [...kept.changedSince(2)].map((t) => t.ID),
    ['b', 'd', 'c'],
  );
  assert.deepEqual(asked, ['newer 2']);
  assert.deepEqual(JSON.stringify(kept), '{"size":3}');
});

test('tombstones left since the start win over archived ones; forgotten ones are gone, and not swept again', { timeout: 10_000 }, () => {
  const { archive } = listArchive([done('a', 1)], { a: ['p.1'], stranger: ['p.s'], other: ['p.o'] });
  const stones = new Tombstones(archive);
  assert.deepEqual(stones.get('a'), ['p.1']);
  stones.set('a', ['p.1', 'p.2']);
  assert.deepEqual(stones.get('a'), ['p.1', 'p.2']);
  assert.equal(stones.has('none'), false);
  assert.equal(stones.delete('stranger'), true);
  assert.equal(stones.get('stranger'), undefined);
  assert.equal(stones.delete('stranger'), false);
  assert.deepEqual([...stones.buriedBefore(0)], ['other']);
  stones.set('other', ['p.o', 'p.o2']);
  assert.deepEqual([...stones.buriedBefore(0)], [], 'left again since: swept by the new time, from memory');
  assert.deepEqual([...stones.buriedBefore(-Infinity)], [], 'kept forever');
  assert.equal(JSON.stringify(stones), '{"recent":2}');
});
