// Retention (issue 13): which finished tasks a sweep removes, and what the
// manager and the worker do about them: pruned from memory and the store,
// workers told to forget, nothing live ever pruned, a pruned task's stale
// copy stopped and never adopted, a pruned ID free for a new task with a new
// placement. Workers "elsewhere" are stand-ins the test speaks for; time
// moves only when the test sends a tick.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManagerEmitted } from '../../machines/manager.js';
import { byTime, expired } from '../../machines/retention.js';
import { ManagerWrites } from '../../src/store/manager-writes.js';
import { MemoryManagerStore } from '../../src/store/manager-store.js';
import { silentLog } from '../../src/log.js';
import type { ToWorker } from '../../src/vocabulary/protocol.js';
import type { Retention } from '../../src/vocabulary/retention.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { startManagerActor } from '../helpers/manager-actor.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const HOUR = 3_600_000;

const running: { stop(): unknown }[] = [];
afterEach(() => running.splice(0).forEach((actor) => actor.stop()), { timeout: 20_000 });

test(
  'a sweep takes the finished tasks older than the retention period, and the oldest beyond the maximum, in the order they finished',
  { timeout: 10_000 },
  () => {
    const finished = new Map([
      ['a', 1000],
      ['b', 2000],
      ['c', 3000],
      ['d', 4000],
    ]);
    assert.deepEqual(expired(finished, 4, { ms: 1500, max: 10 }, 4000), ['a', 'b'], 'finished 1.5 s or more before');
    assert.deepEqual(expired(finished, 4, { ms: Infinity, max: 1 }, 4000), ['a', 'b', 'c'], 'all but the newest');
    assert.deepEqual(
      expired(finished, 4, { ms: Infinity, max: 1 }, 4000, (id) => id === 'b'),
      ['a', 'c', 'd'],
      'a kept one stays, and counts against the maximum',
    );
    assert.deepEqual(expired(finished, 4, { ms: Infinity, max: 10 }, 4000), [], 'nothing to do: nothing is read past the first kept');
  },
);

test('two sources of finished tasks are swept as one, in the order they finished, and neither is read past the first kept', { timeout: 10_000 }, () => {
  const read: string[] = [];
  function* source(entries: [string, number][]) {
    for (const entry of entries) {
      read.push(entry[0]);
      yield entry;
    }
  }
  const memory = source([
    ['m1', 1500],
    ['m2', 5000],
  ]);
  const archive = source([
    ['a1', 1000],
    ['a2', 2000],
    ['a3', 3000],
    ['a4', 9000],
  ]);
  assert.deepEqual(expired(byTime(memory, archive), 6, { ms: 2500, max: 100 }, 5000), ['a1', 'm1', 'a2']);
  assert.deepEqual(read, ['m1', 'a1', 'a2', 'm2', 'a3'], 'one past the last taken from each, no more');
  assert.deepEqual(
    [...byTime([['x', 1]] as [string, number][], [['y', 1]] as [string, number][])],
    [
      ['x', 1],
      ['y', 1],
    ],
    'the first on a tie',
  );
});

/** A manager with one worker elsewhere (r1), spoken for by the test, and a memory store. */
function startManager(retention: Retention, store = new MemoryManagerStore()) {
  const writes = new ManagerWrites(store, 'test', silentLog);
  const { actor: manager, received, say } = startManagerActor({ writes, worker: 'r1', heartbeatTtlMs: 10 * HOUR, startedAt: at(0), retention, statsAt: at(1) });
  const emitted: ManagerEmitted[] = [];
  manager.on('*', (e) => emitted.push(e as ManagerEmitted));
  running.push(manager);
  const ledger = () => manager.getSnapshot().context.ledger;
  /** Runs a task to Running on r1, then to `end`: Completed (stopped) or Failed for good. */
  const finish = (id: string, end: 'completed' | 'failed' | 'running', when: number) => {
    manager.send({ type: 'task.submit', task: newTask({ ID: id, Name: id, Image: 'img' }), at: at(when) });
    const placed = ledger().tasks.get(id)!;
    say({ type: 'task.updated', worker: 'r1', task: { ...placed, State: 2, StateName: 'running', ContainerID: `c-${id}`, Version: 1 } });
    if (end === 'running') return;
    const State = end === 'completed' ? 3 : 4;
    say({ type: 'task.updated', worker: 'r1', task: { ...ledger().tasks.get(id)!, State, StateName: end, FinishTime: at(when), Version: 2 } });
  };
  return { manager, ledger, finish, say, received, emitted, store };
}

test(
  'finished tasks are kept for the retention period, then a tick prunes them from the ledger, the store and their worker; live ones stay',
  { timeout: 10_000 },
  () => {
    const { manager, ledger, finish, received, emitted, store } = startManager({ ms: HOUR, max: 100 });
    finish('done', 'completed', 10);
    finish('broken', 'failed', 20);
    finish('alive', 'running', 30);
    assert.ok(ledger().done.has('done'), 'a Completed task keeps only a DoneTask in memory');
    assert.equal(ledger().tasks.has('done'), false);
    assert.deepEqual([...ledger().finished.keys()], ['done', 'broken']);

    manager.send({ type: 'tick', at: at(HOUR / 2) });
    assert.equal(ledger().finished.size, 2, 'within the retention period nothing goes');

    manager.send({ type: 'tick', at: at(HOUR + 25) });
    assert.deepEqual([...ledger().finished.keys()], [], 'both finished more than an hour ago');
    assert.equal(ledger().done.has('done'), false);
    assert.equal(ledger().tasks.has('broken'), false);
    assert.equal(ledger().tasks.get('alive')?.StateName, 'running', 'nothing live is pruned');
    assert.equal(ledger().pruned, 2);
    assert.deepEqual(
      emitted.filter((e) => e.type === 'tasks.pruned').map((e) => (e as { ids: string[] }).ids),
      [['done', 'broken']],
    );
    const gc = received.filter((m): m is Extract<ToWorker, { type: 'worker.gc' }> => m.type === 'worker.gc');
    assert.deepEqual(
      gc.at(-1)?.forget.map((f) => f.id),
      ['done', 'broken'],
      'the worker is told to forget them',
    );
    const log = ledger().log.filter((e) => e.Type === 'Pruned');
    assert.equal(log.length, 1, 'one log entry for the sweep');
    assert.match(log[0]!.Message, /pruned 2 finished task\(s\) \(finished more than 1h ago, or beyond the newest 100\); 0 kept, 2 pruned in all/);
    // The store's deletes are written behind, at the end of the turn.
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        assert.deepEqual(
          store.load().tasks.map((t) => t.ID),
          ['alive'],
        );
        assert.equal(store.load().done.size, 0);
        resolve();
      }),
    );
  },
);

test('beyond the maximum count the oldest finished tasks go first, at the next sweep', { timeout: 10_000 }, () => {
  const { manager, ledger, finish } = startManager({ ms: Infinity, max: 2 });
  for (let i = 0; i < 5; i++) finish(`t${i}`, 'completed', 10 + i);
  manager.send({ type: 'tick', at: at(100) });
  assert.deepEqual([...ledger().finished.keys()], ['t3', 't4']);
  assert.equal(ledger().pruned, 3);
});

test('a stop still owed to a lost worker is work: its Completed task is not pruned until the worker answers', { timeout: 10_000 }, () => {
  const { manager, ledger, finish } = startManager({ ms: 0, max: 0 });
  finish('owed', 'running', 10);
  manager.send({ type: 'task.stop', id: 'owed', at: at(20) });
  manager.send({ type: 'tick', at: at(11 * HOUR) }); // r1 is down: the task completes, the stop stays owed
  assert.equal(ledger().tasks.get('owed')?.State, 3);
  assert.ok(ledger().stopRequested.has('owed'));
  manager.send({ type: 'tick', at: at(12 * HOUR) });
  assert.ok(ledger().tasks.has('owed'), 'not pruned while the stop is owed');
});

test('a pruned task is history: its stale copy reporting later is stopped, never adopted; a finished copy is ignored', { timeout: 10_000 }, () => {
  const { manager, ledger, finish, say, received } = startManager({ ms: 0, max: 0 });
  finish('gone', 'completed', 10);
  const placement = [...received].reverse().find((m): m is Extract<ToWorker, { type: 'task.run' }> => m.type === 'task.run')!.task.Placement;
  manager.send({ type: 'tick', at: at(100) });
  assert.equal(ledger().done.has('gone'), false, 'pruned');

  received.length = 0;
  say({
    type: 'task.updated',
    worker: 'r1',
    task: newTask({ ID: 'gone', Name: 'gone', Image: 'img', State: 2, StateName: 'running', Placement: placement, Worker: 'r1', Version: 9 }),
  });
  assert.equal(ledger().tasks.has('gone'), false, 'not adopted: the manager made that placement');
  assert.deepEqual(
    received.map((m) => m.type === 'task.stop' && [m.id, m.placement]),
    [['gone', placement]],
    'the copy is stopped',
  );
  assert.ok(ledger().log.some((e) => e.Type === 'Stale Copy Stopped' && /pruned/.test(e.Message)));

  for (const StateName of ['completed', 'failed'] as const) {
    say({
      type: 'task.updated',
      worker: 'r1',
      task: newTask({
        ID: `old-${StateName}`,
        Name: 'x',
        Image: 'img',
        State: StateName === 'completed' ? 3 : 4,
        StateName,
        Placement: 'elsewhere.1',
        Version: 3,
      }),
    });
    assert.equal(ledger().tasks.has(`old-${StateName}`), false, `a ${StateName} task the manager does not have is not adopted`);
  }
});

test('a pruned ID can be used again: the new task is taken and gets a new placement', { timeout: 10_000 }, () => {
  const { manager, ledger, finish, received } = startManager({ ms: 0, max: 0 });
  finish('again', 'completed', 10);
  const first = [...received].reverse().find((m): m is Extract<ToWorker, { type: 'task.run' }> => m.type === 'task.run')!.task.Placement;
  manager.send({ type: 'task.submit', task: newTask({ ID: 'again', Name: 'again', Image: 'img' }), at: at(50) });
  assert.equal(ledger().done.has('again'), true, 'before the sweep a Completed ID is refused');
  manager.send({ type: 'tick', at: at(100) });
  manager.send({ type: 'task.submit', task: newTask({ ID: 'again', Name: 'again', Image: 'img' }), at: at(200) });
  const placed = ledger().tasks.get('again')!;
  assert.equal(placed.StateName, 'scheduled');
  assert.notEqual(placed.Placement, first);
  assert.deepEqual(
    placed.Events.map((e) => e.Type),
    ['Received', 'Placed'],
    'a new history',
  );
  assert.equal(ledger().reported.has('again'), false, 'nothing of the old task was kept');
});

test('a sweep asked for (POST /gc) runs now, has every worker sweep too, and says what it did', { timeout: 10_000 }, () => {
  const { manager, ledger, finish, received, emitted } = startManager({ ms: HOUR, max: 1 });
  finish('a', 'completed', 10);
  finish('b', 'completed', 20);
  received.length = 0;
  manager.send({ type: 'retention.sweep', at: at(30), requestId: 'r' });
  const swept = emitted.find((e) => e.type === 'retention.swept') as Extract<ManagerEmitted, { type: 'retention.swept' }>;
  assert.deepEqual(
    { pruned: swept.pruned, kept: swept.kept, total: swept.total, requestId: swept.requestId },
    { pruned: 1, kept: 1, total: 1, requestId: 'r' },
  );
  assert.deepEqual([...ledger().done.keys()], ['b']);
  assert.deepEqual(received.filter((m) => m.type === 'worker.gc').length, 1);
  manager.send({ type: 'retention.sweep', at: at(40) });
  assert.equal(received.filter((m) => m.type === 'worker.gc').length, 2, 'workers sweep even when the manager prunes nothing');
});

test('a report that changes nothing is neither saved nor reported again', { timeout: 10_000 }, () => {
  const store = new MemoryManagerStore();
  let writes = 0;
  const write = store.write.bind(store);
  store.write = (rows, meta) => {
    writes += rows.length;
    write(rows, meta);
  };
  const { ledger, finish, say, emitted } = startManager({ ms: HOUR, max: 100 }, store);
  finish('same', 'running', 10);
  const record = ledger().tasks.get('same')!;
  const reports = emitted.filter((e) => e.type === 'task.updated').length;
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      const before = writes;
      for (let v = 3; v < 10; v++) say({ type: 'task.updated', worker: 'r1', task: { ...record, Worker: 'r1', Version: v } });
      setImmediate(() => {
        assert.equal(emitted.filter((e) => e.type === 'task.updated').length, reports, 'nothing reported');
        assert.equal(writes, before, 'nothing written');
        assert.equal(ledger().tasks.get('same')!.Version, record.Version, 'the version is kept');
        resolve();
      });
    }),
  );
});

test(
  'a listing of changes is compared with what the worker holds: a task it holds is left alone, one it lacks is sent again, one it lists as done is completed',
  { timeout: 10_000 },
  () => {
    const { manager, ledger, finish, say, received } = startManager({ ms: HOUR, max: 100 });
    for (const id of ['held', 'lost', 'ended']) finish(id, 'running', 10);
    const record = (id: string): Task => ledger().tasks.get(id)!;
    received.length = 0;
    say({
      type: 'worker.tasks',
      worker: 'r1',
      tasks: [],
      at: at(50),
      held: [{ ID: 'held', Placement: record('held').Placement, StateName: 'running' }],
      done: [{ ID: 'ended', Worker: 'r1', Placement: record('ended').Placement, SubmitTime: at(10), FinishTime: at(40), Version: 7 }],
      version: 7,
    });
    assert.deepEqual(
      received.map((m) => m.type === 'task.run' && m.task.ID),
      ['lost'],
    );
    assert.ok(ledger().done.has('ended'), 'completed from the listing');
    assert.equal(ledger().tasks.get('held')!.StateName, 'running');
    assert.equal(ledger().heard.get('r1'), 7, 'the next sync asks for what changed after version 7');
    manager.send({ type: 'tick', at: at(60) });
  },
);
