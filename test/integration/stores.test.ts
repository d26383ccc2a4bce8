// The stores on real SQLite files (issue 13): a Completed task is read back at
// start from a few columns only (a damaged record costs only itself, when it
// is read), pruned records and their tombstones leave, the ledger's meta
// outlives them, a file written before the columns existed is upgraded, and
// changes written behind go many to a transaction. Completed tasks are read
// packed (src/store/packed-done.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PACKED } from '../../machines/done-tasks.js';
import { doneOf } from '../../machines/retention.js';
import { SqliteManagerStore } from '../../src/store/manager-store.js';
import { readDone } from '../../src/store/packed-done.js';
import { SqliteTaskStore } from '../../src/store/sqlite-task-store.js';
import { WriteBehind } from '../../src/store/write-behind.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cube-stores-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const record = (id: string, fields: Partial<Task> = {}) =>
  newTask({ ID: id, Name: `task-${id}`, Image: 'img', Worker: 'w1', Placement: `p.${id}`, SubmitTime: '2026-01-01T00:00:00.000Z', Version: 5, ...fields });
const completed = (id: string, fields: Partial<Task> = {}) =>
  record(id, { State: 3, StateName: 'completed', FinishTime: '2026-01-01T01:00:00.000Z', ...fields });

test('the manager store reads Completed tasks back from their columns; a damaged one costs only itself, when it is read', { timeout: 60_000 }, (t) => {
  const file = join(tempDir(t), 'manager.db');
  const lines: string[] = [];
  let store = new SqliteManagerStore(file, (line) => lines.push(line));
  store.write(
    [
      ['live', { task: record('live', { State: 2, StateName: 'running' }), stopRequested: false }],
      ['done', { task: completed('done'), stopRequested: false }],
      ['owed', { task: completed('owed'), stopRequested: true }],
      ['damaged', { task: completed('damaged'), stopRequested: false }],
    ],
    { pruned: 7, incarnations: ['i0', 'i1'], heard: { w1: 42 } },
  );
  store.close();
  const db = new Database(file);
  db.prepare("UPDATE tasks SET record = '{not json' WHERE id = 'damaged'").run();
  db.close();

  store = new SqliteManagerStore(file, (line) => lines.push(line));
  const state = store.load();
  assert.deepEqual(
    state.tasks.map((x) => x.ID),
    ['live', 'owed'],
    'live records, and a Completed one whose stop is still owed',
  );
  assert.deepEqual(state.stopRequested, ['owed']);
  assert.deepEqual(
    [...state.done.values()].map((d) => [d.ID, d.Worker, d.Placement, d.FinishTime, d.Version]),
    [
      ['done', 'w1', 'p.done', '2026-01-01T01:00:00.000Z', 5],
      ['damaged', 'w1', 'p.damaged', '2026-01-01T01:00:00.000Z', 5],
    ],
  );
  assert.deepEqual(state.meta, { pruned: 7, incarnations: ['i0', 'i1'], heard: { w1: 42 } });
  assert.equal(lines.length, 0, 'nothing of a Completed record is read at start');
  assert.equal(store.read('done')?.StateName, 'completed');
  assert.equal(store.read('damaged'), undefined);
  assert.match(lines.join('\n'), /skipped the record of task damaged, which is not a task record/);

  store.write(
    [
      ['done', null],
      ['damaged', null],
    ],
    undefined,
  );
  assert.equal(store.load().done.size, 0, 'pruned records are gone');
  store.close();
});

test('a manager file written before the record columns existed is upgraded at open, and reads as before', { timeout: 60_000 }, (t) => {
  const file = join(tempDir(t), 'manager.db');
  const db = new Database(file);
  db.exec(
    'CREATE TABLE tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL, stop_requested INTEGER NOT NULL DEFAULT 0)',
  );
  db.prepare('INSERT INTO tasks (id, record) VALUES (?, ?)').run('old-live', JSON.stringify(record('old-live', { State: 2, StateName: 'running' })));
  db.prepare('INSERT INTO tasks (id, record) VALUES (?, ?)').run('old-done', JSON.stringify(completed('old-done')));
  db.prepare('INSERT INTO tasks (id, record) VALUES (?, ?)').run('garbage', 'not a record');
  db.close();
  const lines: string[] = [];
  const store = new SqliteManagerStore(file, (line) => lines.push(line));
  const state = store.load();
  assert.deepEqual(
    state.tasks.map((x) => x.ID),
    ['old-live'],
  );
  assert.deepEqual([...state.done.keys()], ['old-done']);
  assert.equal(state.meta, undefined);
  assert.match(lines.join('\n'), /skipped the record of task garbage/, 'a row that is not a record is named, and left in the file');
  store.close();
});

test('a record larger than CUBE_RECORD_MAX is named and left in the file, unread; the rest is served', { timeout: 60_000 }, (t) => {
  const file = join(tempDir(t), 'worker.db');
  let store = new SqliteTaskStore(file, () => undefined);
  store.write([
    ['small', record('small', { State: 2, StateName: 'running' })],
    ['large', record('large', { State: 2, StateName: 'running', Env: [`BIG=${'x'.repeat(5000)}`] })],
  ]);
  store.close();
  const lines: string[] = [];
  store = new SqliteTaskStore(file, (line) => lines.push(line), 4096);
  assert.deepEqual(
    store.load().tasks.map((x) => x.ID),
    ['small'],
  );
  assert.match(
    lines.join('\n'),
    /skipped the record of task large, which is not a task record \(it is \d+ bytes, more than CUBE_RECORD_MAX \(4096\)\); it is left in the file/,
  );
  store.close();
});

test('a worker store forgets a pruned record with its tombstones', { timeout: 60_000 }, (t) => {
  const file = join(tempDir(t), 'worker.db');
  let store = new SqliteTaskStore(file, () => undefined);
  store.write([
    ['a', completed('a')],
    ['b', record('b', { State: 2, StateName: 'running' })],
  ]);
  store.saveTombstones([
    { id: 'a', placement: 'p.old', at: '2026-01-01T00:30:00.000Z' },
    { id: 'c', placement: 'p.c' },
  ]);
  store.write([['a', null]]);
  store.close();
  store = new SqliteTaskStore(file, () => undefined);
  const state = store.load();
  assert.deepEqual(
    state.tasks.map((x) => x.ID),
    ['b'],
  );
  assert.equal(state.done.size, 0);
  assert.equal(state.archive?.tombstones('a'), undefined, 'gone with its record');
  assert.deepEqual(state.archive?.tombstones('c'), ['p.c']);
  store.close();
});

test('changes written behind go in one transaction per turn of the event loop, the newest value per key', { timeout: 60_000 }, async () => {
  const batches: [string, number][][] = [];
  const behind = new WriteBehind<string, number>((entries) => batches.push(entries), { what: 'test', log: () => undefined });
  for (let i = 0; i < 100; i++) behind.save(`k${i % 10}`, i);
  assert.equal(batches.length, 0, 'nothing yet: the turn is not over');
  behind.must('now', 1);
  assert.deepEqual(batches, [[['now', 1]]], 'a command is written at once');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(batches.length, 2);
  assert.deepEqual(
    batches[1]!.map(([k, v]) => `${k}=${v}`),
    Array.from({ length: 10 }, (_, i) => `k${i}=${90 + i}`),
  );
});

test('a write behind that fails waits, is written again until the disk takes it, and says so once each way', { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  let full = true;
  const written: string[] = [];
  let taken: () => void = () => undefined;
  const retaken = new Promise<void>((resolve) => (taken = resolve));
  const behind = new WriteBehind<string, string>(
    (entries) => {
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      written.push(...entries.map(([, v]) => v));
      taken();
    },
    { what: 'test store', log: (line) => lines.push(line), retryMs: 5 },
  );
  behind.save('a', 'first');
  await new Promise((resolve) => setImmediate(resolve));
  assert.match(behind.problem(), /the disk is full/);
  assert.throws(() => behind.must('b', 'command'), /the disk is full/);
  behind.save('a', 'second');
  assert.equal(behind.pending('a'), 'second', 'the newest value waits');
  full = false;
  // The next retry, once the disk takes it (its timer does not hold the process open; this one does, and fails a retry that never comes).
  let late: NodeJS.Timeout | undefined;
  await Promise.race([retaken, new Promise((_, reject) => (late = setTimeout(() => reject(new Error('no retry within 5 s')), 5000)))]);
  clearTimeout(late);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(written, ['second']);
  assert.equal(behind.problem(), '');
  assert.deepEqual(
    lines.map((l) => l.replace(/:.*?;/, ':…;')),
    [lines[0]!.replace(/:.*?;/, ':…;'), 'test store: writes work again'],
  );
  assert.equal(lines.length, 2);
});

test(
  'once a command is written after failures, what waits and what is saved next are written at the end of the turn, not at the retry',
  { timeout: 60_000 },
  async () => {
    let full = true;
    const written: string[] = [];
    const behind = new WriteBehind<string, string>(
      (entries) => {
        if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        written.push(...entries.map(([, v]) => v));
      },
      { what: 'test store', log: () => undefined, retryMs: 60_000 },
    );
    behind.save('a', 'report of a');
    behind.save('b', 'report of b');
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(behind.problem(), /the disk is full/, 'failed: the retry is a minute away');
    full = false;
    behind.must('a', 'command about a');
    behind.save('c', 'report of c');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(written, ['command about a', 'report of b', 'report of c'], 'a crash now would lose none of them');
    assert.equal(behind.problem(), '');
    behind.close();
  },
);

test('Completed tasks are read back packed, chunk by chunk, and a worker named with a separator is read as an object', { timeout: 60_000 }, (t) => {
  const file = join(tempDir(t), 'worker.db');
  const store = new SqliteTaskStore(file, () => undefined);
  const odd = `w${PACKED.field}1${PACKED.row}`;
  const tasks = ['a', 'b', 'c', 'd', 'e'].map((id, i) => completed(id, { Version: 10 + i, Worker: id === 'c' ? odd : 'w1' }));
  store.write([...tasks.map((task): [string, Task] => [task.ID, task]), ['live', record('live', { State: 2, StateName: 'running' })]]);
  store.close();
  const db = new Database(file);
  t.after(() => db.close());
  const read = readDone(db, "state = 'completed'", 2);
  assert.deepEqual(
    [...read.values()].sort((x, y) => x.ID.localeCompare(y.ID)),
    tasks.map(doneOf),
  );
  assert.equal(read.get('c')?.Worker, odd);
  assert.equal(read.newestVersion, 14);
  assert.equal((read as unknown as { chunks: string[] }).chunks.length, 2, 'four packable rows, two to a chunk');
});
