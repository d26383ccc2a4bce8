// The manager actor: placement, waiting, stops, restarts, lost workers,
// undelivered commands and reconciliation. Workers in its process run the real
// worker machine over MemoryRuntime (an in-memory stand-in); workers
// "elsewhere" are stand-ins the test speaks for, so the network can fail on
// cue. Time moves only when the test sends a tick.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, waitFor, type Actor, type AnyEventObject } from 'xstate';
import { managerMachine, type ManagerMachine, type WorkerSpec } from '../../machines/manager.js';
import type { LogEntry } from '../../src/vocabulary/log-entry.js';
import { managerWriteActions, placementPolicy } from '../../src/manager/run/logic.js';
import { ManagerService } from '../../src/manager/run/service.js';
import { ManagerWrites } from '../../src/store/manager-writes.js';
import { MemoryManagerStore } from '../../src/store/manager-store.js';
import { MemoryTaskStore } from '../../src/store/task-store.js';
import { WorkerWrites } from '../../src/store/worker-writes.js';
import type { FromWorker, ToWorker } from '../../src/vocabulary/protocol.js';
import { MemoryRuntime } from '../../src/runtime/memory.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { workerLogic } from '../../src/worker/logic.js';
import { silentLog } from '../../src/log.js';
import { workerStats } from '../helpers/stats.js';
import { latestReported } from '../helpers/reported.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const TTL = 10_000;
const policy = { restartLimit: 3, restartDelayMs: 0, restartDelayMaxMs: 0, healthFailures: 3 };

const stats = workerStats;

/** A worker elsewhere, spoken for by the test: what it received, and its voice. */
interface Remote {
  received: ToWorker[];
  say(message: FromWorker): void;
}

/** Actors a test started: stopped after it, even when an assertion failed (their timers would keep the run alive). */
const running: { stop(): unknown }[] = [];
afterEach(() => running.splice(0).forEach((actor) => actor.stop()), { timeout: 20_000 });

function startManager(options: {
  local?: string[];
  remote?: string[];
  scheduler?: string;
  restore?: { tasks: Task[]; stopRequested: string[]; log: LogEntry[] };
  /** The manager's store; by default the machine keeps everything in memory. */
  writes?: ManagerWrites;
}) {
  const runtimes = new Map((options.local ?? []).map((name) => [name, new MemoryRuntime()]));
  const workerWrites = new Map((options.local ?? []).map((name) => [name, new WorkerWrites(new MemoryTaskStore(), name, silentLog)]));
  const remotes = new Map<string, Remote>();
  const logic = managerMachine.provide({
    ...(options.writes ? { actions: managerWriteActions(options.writes) } : {}),
    actors: {
      localWorker: workerLogic((name) => runtimes.get(name)!, {
        health: { intervalMs: 1000, timeoutMs: 100 },
        reconcileIntervalMs: 1e9,
        statsIntervalMs: 1e9,
        sampleStats: () => stats('local'),
        writes: (name) => workerWrites.get(name)!,
        log: silentLog,
      }),
      remoteWorker: fromCallback<ToWorker, { name: string; address: string }>(({ input, sendBack, receive }) => {
        const remote: Remote = { received: [], say: (m) => sendBack(m) };
        remotes.set(input.name, remote);
        receive((m) => remote.received.push(m));
      }),
      clock: fromCallback<AnyEventObject, { heartbeatTtlMs: number }>(() => undefined),
    },
    delays: { reconcileInterval: 1e9 },
  });
  const workers: WorkerSpec[] = [
    ...(options.local ?? []).map((name) => ({ name, address: 'in-process', local: { name, policy, shardCapacity: 4 } })),
    ...(options.remote ?? []).map((name) => ({ name, address: `${name}:5555` })),
  ];
  const manager = createActor(logic, {
    input: {
      workers,
      placement: placementPolicy(options.scheduler ?? 'roundrobin'),
      heartbeatTtlMs: TTL,
      startedAt: at(0),
      incarnation: 'i0',
      restore: options.restore,
    },
  });
  const refusals: string[] = [];
  manager.on('task.refused', (e) => refusals.push(e.reason));
  latestReported(manager);
  manager.start();
  running.push(manager);
  return { manager, runtimes, remote: (name: string) => remotes.get(name)!, refusals };
}

const task = (id: string, fields: Partial<Task> = {}) => newTask({ ID: id, Name: id, Image: 'img', ...fields });
const record = (manager: Actor<ManagerMachine>, id: string) => manager.getSnapshot().context.ledger.tasks.get(id) ?? latestReported(manager).get(id)!;
const until = (manager: Actor<ManagerMachine>, id: string, ok: (t: Task) => boolean) =>
  waitFor(
    manager,
    (s) => {
      const t = s.context.ledger.tasks.get(id) ?? latestReported(manager).get(id);
      return t !== undefined && ok(t);
    },
    { timeout: 5000 },
  );
const runs = (remote: Remote) => remote.received.filter((m): m is Extract<ToWorker, { type: 'task.run' }> => m.type === 'task.run');
const stops = (remote: Remote) => remote.received.filter((m): m is Extract<ToWorker, { type: 'task.stop' }> => m.type === 'task.stop');
/** What a remote worker would report for a task it runs. */
const runningOn = (worker: string, t: Task): Extract<FromWorker, { type: 'task.updated' }> => ({
  type: 'task.updated',
  worker,
  task: { ...t, State: 2, StateName: 'running', ContainerID: `c-${t.ID}`, Worker: worker },
});

test('a task submitted to the manager is placed on a worker in its process and mirrored as it runs', { timeout: 10_000 }, async () => {
  const { manager } = startManager({ local: ['w1'] });
  manager.send({ type: 'task.submit', task: task('a'), at: at(1) });
  assert.equal(record(manager, 'a').Worker, 'w1', 'placed as soon as it is received');
  const running = await until(manager, 'a', (t) => t.State === 2);
  const events = running.context.ledger.tasks.get('a')!.Events.map((e) => e.Type);
  assert.deepEqual(events.slice(0, 4), ['Received', 'Placed', 'Scheduled', 'Started']);
  manager.stop();
});

test('a task that fits no worker waits Pending, its reason counting why, and is placed when a task frees room', { timeout: 10_000 }, () => {
  const { manager: m, remote } = startManager({ remote: ['r1'] });
  m.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  m.send({ type: 'task.submit', task: task('six', { Memory: 6 * 2 ** 30 }), at: at(2) });
  assert.equal(record(m, 'six').StateName, 'scheduled');
  m.send({ type: 'task.submit', task: task('again', { Memory: 6 * 2 ** 30 }), at: at(3) });
  const waiting = record(m, 'again');
  assert.equal(waiting.StateName, 'pending');
  assert.equal(waiting.Reason, 'no worker can take the task: 1 worker: 1 short of memory (r1 has 2 GiB of 8 GiB memory unreserved, the task asks 6 GiB)');
  assert.equal(waiting.Events.at(-1)?.Type, 'Not Placed');
  remote('r1').say({ type: 'task.updated', worker: 'r1', task: { ...record(m, 'six'), State: 3, StateName: 'completed' } });
  assert.equal(record(m, 'again').StateName, 'scheduled', 'placed as soon as the room is free');
  assert.equal(record(m, 'again').Worker, 'r1');
  m.stop();
});

test('with no worker up a task waits, saying why, and is placed when one answers', { timeout: 10_000 }, () => {
  const { manager, remote } = startManager({ remote: ['r1'] });
  manager.send({ type: 'task.submit', task: task('a'), at: at(1) });
  assert.equal(record(manager, 'a').State, 0);
  assert.equal(record(manager, 'a').Reason, 'no worker can take the task: 1 worker: 1 not heard from yet (r1)');
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(2) });
  assert.equal(record(manager, 'a').State, 1);
  assert.deepEqual(
    runs(remote('r1')).map((m) => [m.task.ID, m.task.Placement]),
    [['a', record(manager, 'a').Placement]],
  );
  assert.match(record(manager, 'a').Placement, /^i0\./, 'a placement made by this manager start');
  manager.stop();
});

test('a stop of a Pending task cancels it; a stop of a placed one goes to its worker until it confirms', { timeout: 10_000 }, () => {
  const { manager, remote } = startManager({ remote: ['r1'] });
  manager.send({ type: 'task.submit', task: task('queued'), at: at(1) });
  manager.send({ type: 'task.stop', id: 'queued', at: at(2) });
  assert.equal(record(manager, 'queued').State, 3);
  assert.equal(record(manager, 'queued').Events.at(-1)?.Type, 'Cancelled');

  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(3) });
  manager.send({ type: 'task.submit', task: task('placed'), at: at(4) });
  manager.send({ type: 'task.stop', id: 'placed', at: at(5) });
  assert.deepEqual(
    stops(remote('r1')).map((m) => m.id),
    ['placed'],
  );
  assert.ok(manager.getSnapshot().context.ledger.stopRequested.has('placed'));
  remote('r1').say({ type: 'task.updated', worker: 'r1', task: { ...record(manager, 'placed'), State: 3, StateName: 'completed' } });
  assert.equal(record(manager, 'placed').State, 3);
  assert.equal(manager.getSnapshot().context.ledger.stopRequested.has('placed'), false);
  manager.stop();
});

test('POST of a Completed id is refused; POST of a Running id restarts it on its worker', { timeout: 10_000 }, () => {
  const { manager, remote, refusals } = startManager({ remote: ['r1'] });
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  manager.send({ type: 'task.submit', task: task('a'), at: at(2) });
  remote('r1').say(runningOn('r1', record(manager, 'a')));
  manager.send({ type: 'task.submit', task: task('a'), at: at(3) });
  const [first, second] = runs(remote('r1')).map((m) => m.task.Placement);
  assert.ok(first && second && first !== second, 'the second run is a restart: a new placement');
  remote('r1').say({ type: 'task.updated', worker: 'r1', task: { ...record(manager, 'a'), State: 3, StateName: 'completed' } });
  manager.send({ type: 'task.submit', task: task('a'), at: at(4) });
  assert.match(refusals.at(-1)!, /task a is completed, which is final/);
  manager.send({ type: 'task.stop', id: 'a', at: at(5) });
  assert.match(refusals.at(-1)!, /task a is completed, which is final/);
  manager.stop();
});

test('a worker silent past the TTL is down, its tasks go elsewhere, and its copies are stopped when it is back', { timeout: 10_000 }, () => {
  const { manager, remote } = startManager({ remote: ['r1', 'r2'] });
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  manager.send({ type: 'worker.stats', worker: 'r2', stats: stats('r2'), at: at(1) });
  manager.send({ type: 'task.submit', task: task('a'), at: at(2) });
  manager.send({ type: 'task.submit', task: task('b'), at: at(2) });
  assert.deepEqual([record(manager, 'a').Worker, record(manager, 'b').Worker], ['r1', 'r2'], 'round robin by name');
  remote('r1').say(runningOn('r1', record(manager, 'a')));
  remote('r2').say(runningOn('r2', record(manager, 'b')));

  manager.send({ type: 'worker.stats', worker: 'r2', stats: stats('r2'), at: at(TTL) });
  manager.send({ type: 'tick', at: at(TTL + 2) }); // r1 last heard at 1 ms: silent for TTL + 1 ms
  const workers = manager.getSnapshot().context.ledger.workers;
  assert.equal(workers.get('r1')!.state, 'down');
  assert.equal(workers.get('r2')!.state, 'up');
  assert.equal(record(manager, 'a').Worker, 'r2', 'placed again on the worker that answers');
  assert.ok(record(manager, 'a').Events.some((e) => /worker r1 was lost \(no heartbeat for 10 s\)/.test(e.Message)));
  assert.deepEqual(
    runs(remote('r2')).map((m) => m.task.ID),
    ['b', 'a'],
  );

  // r1 comes back, still running its copy of a: that copy is stopped, the record stays with r2.
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(TTL + 3) });
  remote('r1').say({ type: 'worker.tasks', worker: 'r1', tasks: [runningOn('r1', task('a')).task], at: at(TTL + 3) });
  assert.deepEqual(
    stops(remote('r1')).map((m) => m.id),
    ['a'],
  );
  assert.equal(record(manager, 'a').Worker, 'r2');
  assert.equal(workers.get('r1')!.state, 'up');
  manager.stop();
});

test(
  'a copy a worker still holds unchanged, named only in the held list of a sync after a version, is stopped when the task went elsewhere',
  { timeout: 10_000 },
  () => {
    const { manager, remote } = startManager({ remote: ['r1', 'r2'] });
    manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
    manager.send({ type: 'worker.stats', worker: 'r2', stats: stats('r2'), at: at(1) });
    manager.send({ type: 'task.submit', task: task('a'), at: at(2) });
    const first = record(manager, 'a');
    assert.equal(first.Worker, 'r1');
    const copy = runningOn('r1', first).task;
    remote('r1').say({ type: 'task.updated', worker: 'r1', task: { ...copy, Version: 5 } });
    manager.send({ type: 'worker.stats', worker: 'r2', stats: stats('r2'), at: at(TTL) });
    manager.send({ type: 'tick', at: at(TTL + 2) }); // r1 silent: a goes to r2
    assert.equal(record(manager, 'a').Worker, 'r2');

    // r1 is back; its copy did not change, so a sync after version 5 names it in `held` only, with no record.
    manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(TTL + 3) });
    remote('r1').say({
      type: 'worker.tasks',
      worker: 'r1',
      version: 5,
      tasks: [],
      done: [],
      held: [{ ID: 'a', Placement: copy.Placement, StateName: 'running' }],
      at: at(TTL + 3),
    });
    assert.deepEqual(
      stops(remote('r1')).map((m) => [m.id, m.placement]),
      [['a', copy.Placement]],
    );
    assert.equal(record(manager, 'a').Worker, 'r2');
    manager.stop();
  },
);

test('a run that cannot be delivered marks the worker suspect and places the task on another', { timeout: 10_000 }, () => {
  const { manager, remote } = startManager({ remote: ['r1', 'r2'] });
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  manager.send({ type: 'worker.stats', worker: 'r2', stats: stats('r2'), at: at(1) });
  manager.send({ type: 'task.submit', task: task('a'), at: at(2) });
  assert.equal(record(manager, 'a').Worker, 'r1');
  remote('r1').say({
    type: 'task.undelivered',
    worker: 'r1',
    id: 'a',
    placement: record(manager, 'a').Placement,
    command: 'task.run',
    reason: 'r1:5555: ECONNREFUSED',
    at: at(3),
  });
  assert.equal(manager.getSnapshot().context.ledger.workers.get('r1')!.state, 'suspect');
  assert.equal(record(manager, 'a').Worker, 'r2');
  assert.ok(record(manager, 'a').Events.some((e) => /could not reach worker r1 to start it \(r1:5555: ECONNREFUSED\)/.test(e.Message)));
  // A start that looked lost but arrived is kept where it is, not duplicated.
  const onR2 = record(manager, 'a');
  remote('r1').say({ type: 'task.undelivered', worker: 'r2', id: 'a', placement: onR2.Placement, command: 'task.run', reason: 'r2:5555: timeout', at: at(4) });
  assert.equal(record(manager, 'a').State, 0, 'no worker is up: it waits');
  remote('r2').say(runningOn('r2', onR2));
  assert.equal(record(manager, 'a').State, 2);
  assert.equal(record(manager, 'a').Worker, 'r2');
  assert.equal(manager.getSnapshot().context.ledger.queue.has('a'), false);
  manager.stop();
});

test('the reconcile sends again what a worker lost, and a stop of what it no longer has again, until the worker answers it', { timeout: 10_000 }, () => {
  const { manager, remote } = startManager({ remote: ['r1'] });
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  manager.send({ type: 'task.submit', task: task('kept'), at: at(2) });
  manager.send({ type: 'task.submit', task: task('stopped'), at: at(2) });
  remote('r1').say(runningOn('r1', record(manager, 'kept')));
  remote('r1').say(runningOn('r1', record(manager, 'stopped')));
  manager.send({ type: 'task.stop', id: 'stopped', at: at(3) });
  remote('r1').received.length = 0;
  remote('r1').say({ type: 'worker.tasks', worker: 'r1', tasks: [], at: at(4) }); // it lost everything
  assert.deepEqual(
    runs(remote('r1')).map((m) => [m.task.ID, m.task.Placement]),
    [['kept', record(manager, 'kept').Placement]],
    'the same placement again',
  );
  // The stopped one: its run may still be on the way, so only the worker's answer to the stop (a tombstone there) ends it.
  const placement = record(manager, 'stopped').Placement;
  assert.deepEqual(
    stops(remote('r1')).map((m) => [m.id, m.placement]),
    [['stopped', placement]],
  );
  assert.equal(record(manager, 'stopped').State, 2);
  remote('r1').say({ type: 'task.refused', worker: 'r1', id: 'stopped', placement, command: 'stop', reason: 'not here; a tombstone is left', status: 404 });
  assert.equal(record(manager, 'stopped').State, 3);
  manager.stop();
});

test('a restored manager places its queued tasks and carries on unconfirmed stops', { timeout: 10_000 }, () => {
  const queued = { ...task('queued'), SubmitTime: at(0) };
  const stopping = { ...task('stopping'), State: 2 as const, StateName: 'running' as const, Worker: 'r1', ContainerID: 'c1' };
  const { manager, remote } = startManager({ remote: ['r1'], restore: { tasks: [queued, stopping], stopRequested: ['stopping'], log: [] } });
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  assert.equal(record(manager, 'queued').Worker, 'r1');
  remote('r1').say({ type: 'worker.tasks', worker: 'r1', tasks: [runningOn('r1', stopping).task], at: at(2) });
  assert.deepEqual(
    stops(remote('r1')).map((m) => m.id),
    ['stopping'],
  );
  manager.stop();
});

test('E-PVM spreads tasks that ask for nothing evenly over equal workers', { timeout: 10_000 }, () => {
  const { manager } = startManager({ remote: ['r1', 'r2', 'r3'], scheduler: 'epvm' });
  for (const name of ['r1', 'r2', 'r3']) manager.send({ type: 'worker.stats', worker: name, stats: stats(name), at: at(1) });
  for (let i = 0; i < 6; i++) manager.send({ type: 'task.submit', task: task(`t${i}`), at: at(2) });
  const counts = new Map<string, number>();
  for (const t of manager.getSnapshot().context.ledger.tasks.values()) counts.set(t.Worker, (counts.get(t.Worker) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(counts), { r1: 2, r2: 2, r3: 2 });
  manager.stop();
});

test(
  'a second task with the name of one not Completed is refused, naming the task that holds it; once that one is Completed the name is free',
  { timeout: 10_000 },
  () => {
    const { manager, refusals, remote } = startManager({ remote: ['r1'] });
    manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
    manager.send({ type: 'task.submit', task: task('first', { Name: 'web' }), at: at(2) });
    manager.send({ type: 'task.submit', task: task('second', { Name: 'web' }), at: at(3) });
    assert.match(refusals.at(-1)!, /the name "web" is used by task first \(scheduled on worker r1\); stop that task or give this one another Name/);
    assert.equal(manager.getSnapshot().context.ledger.tasks.has('second'), false, 'nothing recorded for the refused task');
    remote('r1').say({ type: 'task.updated', worker: 'r1', task: { ...record(manager, 'first'), State: 3, StateName: 'completed' } });
    manager.send({ type: 'task.submit', task: task('second', { Name: 'web' }), at: at(4) });
    assert.equal(record(manager, 'second').Worker, 'r1');
    manager.stop();
  },
);

test('tasks POSTed without a name get distinct names from their image; a repeated POST keeps the name', { timeout: 10_000 }, () => {
  const { manager } = startManager({ remote: ['r1'] });
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  const image = 'strm/helloworld-http';
  manager.send({ type: 'task.submit', task: task('abcd-0001', { Name: '', Image: image }), at: at(2) });
  manager.send({ type: 'task.submit', task: task('abcd-0002', { Name: '', Image: image }), at: at(3) });
  assert.equal(record(manager, 'abcd-0001').Name, 'helloworld-http-abcd');
  assert.equal(record(manager, 'abcd-0002').Name, 'helloworld-http-abcd0', 'the first choice was live: one more character of the ID');
  manager.send({ type: 'task.submit', task: task('abcd-0002', { Name: '', Image: image }), at: at(4) });
  const again = record(manager, 'abcd-0002');
  assert.equal(again.Name, 'helloworld-http-abcd0');
  assert.ok(!again.Events.some((e) => e.Type === 'Updated'), 'the same task again, not a new definition');
  manager.stop();
});

test('a task placed at once never says it waits', { timeout: 10_000 }, () => {
  const { manager } = startManager({ remote: ['r1'] });
  const updates: Task[] = [];
  manager.on('task.updated', (e) => updates.push(e.task));
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  manager.send({ type: 'task.submit', task: task('a'), at: at(2) });
  assert.deepEqual(
    updates.map((t) => [t.StateName, t.Reason]),
    [['scheduled', '']],
  );
  manager.stop();
});

test('a stop is saved as pending the moment it is asked, before any worker answers', { timeout: 10_000 }, async () => {
  const store = new MemoryManagerStore();
  const writes = new ManagerWrites(store, 'test', silentLog);
  const { manager } = startManager({ remote: ['r1'], writes });
  const service = new ManagerService(manager, writes);
  manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  manager.send({ type: 'task.submit', task: task('a'), at: at(2) });
  assert.equal(await service.stop('a', 0), false, 'r1 has not confirmed');
  assert.deepEqual(store.load().stopRequested, ['a']);
  manager.stop();
});

test(
  'a restart POST is confirmed by its worker taking the new placement, even when the answer comes before it is awaited; with no answer within the wait it is unconfirmed (202)',
  { timeout: 10_000 },
  async () => {
    const writes = new ManagerWrites(new MemoryManagerStore(), 'test', silentLog);
    const { manager, remote } = startManager({ remote: ['r1'], writes });
    const service = new ManagerService(manager, writes);
    manager.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
    /** r1 reports the newest placement it was sent as Running. */
    const take = () => remote('r1').say(runningOn('r1', runs(remote('r1')).at(-1)!.task));
    await service.submit(task('a'), 1000);
    take();
    // r1 answers in the turn the run is sent: the answer is in before the service awaits it.
    const answering = manager.on('task.updated', ({ task: t }) => {
      if (t.Image !== 'img:2') return;
      answering.unsubscribe();
      queueMicrotask(take); // the new placement's record: its run goes out in this turn
    });
    const answered = await service.submit(task('a', { Image: 'img:2' }), 1000);
    assert.equal(answered.confirmed, true, 'r1 took the new placement');
    assert.equal(answered.task.Image, 'img:2');
    const began = performance.now();
    const unanswered = await service.submit(task('a', { Image: 'img:3' }), 50);
    assert.equal(unanswered.confirmed, false, 'r1 said nothing of the third placement');
    assert.ok(performance.now() - began >= 45, 'it waited for an answer before it answered unconfirmed');
    assert.equal(runs(remote('r1')).at(-1)!.task.Image, 'img:3', 'the third placement was sent all the same');
    manager.stop();
  },
);

test('an update that asks other resources is placed again through the filters, its old copy stopped', { timeout: 10_000 }, () => {
  const { manager: m, remote } = startManager({ remote: ['r1'] });
  m.send({ type: 'worker.stats', worker: 'r1', stats: stats('r1'), at: at(1) });
  m.send({ type: 'task.submit', task: task('grow', { Memory: 2 ** 30 }), at: at(2) });
  const first = record(m, 'grow').Placement;
  m.send({ type: 'task.submit', task: task('grow', { Memory: 64 * 2 ** 30 }), at: at(3) });
  assert.deepEqual(
    stops(remote('r1')).map((s) => [s.id, s.placement]),
    [['grow', first]],
    'the old copy is stopped',
  );
  const now = record(m, 'grow');
  assert.equal(now.StateName, 'pending', 'r1 offers 8 GiB: the new ask waits');
  assert.match(now.Reason, /^no worker can take the task: 1 worker: 1 short of memory/);
  m.stop();
});
