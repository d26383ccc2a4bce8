// Workers that join, drain and leave while the manager runs
// (machines/manager/membership.ts): the manager machine alone, with remote
// workers the test speaks for, and time only from the events it sends.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, type AnyEventObject } from 'xstate';
import { managerMachine } from '../../machines/manager.js';
import { joinRefusal, removalRefusal } from '../../machines/manager/membership.js';
import { placementPolicy } from '../../src/manager/run/logic.js';
import type { FromWorker, ToWorker } from '../../src/vocabulary/protocol.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { workerStats } from '../helpers/stats.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

const running: { stop(): unknown }[] = [];
afterEach(() => running.splice(0).forEach((actor) => actor.stop()), { timeout: 20_000 });

/** A manager whose remote workers are the test's: what each received, whether its proxy still runs, and its voice. */
function startManager(workers: string[]) {
  const proxies = new Map<string, { received: ToWorker[]; stopped: boolean; say(m: FromWorker): void }>();
  const logic = managerMachine.provide({
    actors: {
      remoteWorker: fromCallback<ToWorker, { name: string; address: string }>(({ input, sendBack, receive }) => {
        const proxy = { received: [] as ToWorker[], stopped: false, say: (m: FromWorker) => sendBack(m) };
        proxies.set(input.name, proxy);
        receive((m) => proxy.received.push(m));
        return () => void (proxy.stopped = true);
      }),
      clock: fromCallback<AnyEventObject, { heartbeatTtlMs: number }>(() => undefined),
    },
    delays: { reconcileInterval: 1e9 },
  });
  const manager = createActor(logic, {
    input: {
      workers: workers.map((name) => ({ name, address: `${name}:5555` })),
      placement: placementPolicy('roundrobin'),
      heartbeatTtlMs: 10_000,
      startedAt: at(0),
      incarnation: 'i0',
    },
  });
  manager.start();
  running.push(manager);
  const ledger = () => manager.getSnapshot().context.ledger;
  const up = (name: string, ms: number) => manager.send({ type: 'worker.stats', worker: name, stats: workerStats(name), at: at(ms) });
  return { manager, ledger, up, proxy: (name: string) => proxies.get(name)! };
}

const task = (id: string): Task => newTask({ ID: id, Name: id, Image: 'img' });
const runs = (received: ToWorker[]) => received.filter((m) => m.type === 'task.run').map((m) => (m as Extract<ToWorker, { type: 'task.run' }>).task.ID);
const stops = (received: ToWorker[]) => received.filter((m) => m.type === 'task.stop').map((m) => (m as Extract<ToWorker, { type: 'task.stop' }>).id);

test('a worker that joins gets a proxy at once and takes the waiting tasks at its first heartbeat', { timeout: 10_000 }, () => {
  const { manager, ledger, up, proxy } = startManager([]);
  manager.send({ type: 'task.submit', task: task('a'), at: at(1) });
  assert.match(ledger().tasks.get('a')!.Reason, /the manager has none \(start workers with cube worker --join MANAGER/);
  manager.send({ type: 'worker.join', name: 'j1', address: '10.0.0.9:5555', at: at(2) });
  assert.equal(ledger().workers.get('j1')!.state, 'unknown');
  assert.equal(ledger().workers.get('j1')!.joined, true);
  assert.ok(proxy('j1'), 'its proxy runs');
  up('j1', 3);
  assert.equal(ledger().tasks.get('a')!.Worker, 'j1');
  assert.deepEqual(runs(proxy('j1').received), ['a']);
  // A renewal (the same name and address) changes nothing.
  manager.send({ type: 'worker.join', name: 'j1', address: '10.0.0.9:5555', at: at(4) });
  assert.equal(ledger().workers.get('j1')!.state, 'up');
  assert.equal(joinRefusal(ledger(), 'j1', '10.0.0.9:5555'), undefined);
  // The same worker back at another address: a new proxy there; its tasks stay its own.
  const first = proxy('j1');
  assert.equal(joinRefusal(ledger(), 'j1', '10.0.0.10:5555'), undefined);
  manager.send({ type: 'worker.join', name: 'j1', address: '10.0.0.10:5555', at: at(5) });
  assert.equal(first.stopped, true, 'the proxy of the old address is stopped');
  assert.notEqual(proxy('j1'), first);
  assert.equal(ledger().workers.get('j1')!.address, '10.0.0.10:5555');
  assert.equal(ledger().workers.get('j1')!.state, 'unknown');
  assert.equal(ledger().tasks.get('a')!.Worker, 'j1');
  up('j1', 6);
  assert.equal(ledger().workers.get('j1')!.state, 'up');
  assert.ok(ledger().log.some((e) => e.Type === 'Worker Moved'));
  assert.ok(ledger().log.some((e) => e.Type === 'Worker Joined' && e.Worker === 'j1'));
});

test('a drained worker takes no new tasks; its tasks move to the others and its copies are stopped', { timeout: 10_000 }, () => {
  const { manager, ledger, up, proxy } = startManager(['w1', 'w2']);
  up('w1', 1);
  up('w2', 1);
  for (const id of ['a', 'b', 'c']) manager.send({ type: 'task.submit', task: task(id), at: at(2) });
  const onW1 = [...ledger().tasks.values()].filter((t) => t.Worker === 'w1').map((t) => t.ID);
  assert.deepEqual(onW1, ['a', 'c'], 'round robin');
  const before = new Map(onW1.map((id) => [id, ledger().tasks.get(id)!.Placement]));

  manager.send({ type: 'worker.drain', name: 'w1', at: at(3) });
  assert.equal(ledger().workers.get('w1')!.draining, true);
  for (const id of onW1) {
    const moved = ledger().tasks.get(id)!;
    assert.equal(moved.Worker, 'w2', `${id} moved`);
    assert.notEqual(moved.Placement, before.get(id), 'as a new placement');
    assert.ok(moved.Events.some((e) => e.Type === 'Rescheduling' && /worker w1 is draining/.test(e.Message)));
  }
  assert.deepEqual(stops(proxy('w1').received), ['a', 'c'], 'the copies on w1 are stopped');
  assert.deepEqual(runs(proxy('w2').received).sort(), ['a', 'b', 'c']);

  manager.send({ type: 'task.submit', task: task('d'), at: at(4) });
  assert.equal(ledger().tasks.get('d')!.Worker, 'w2', 'nothing new on a draining worker');
  // The drain ends (uncordon): w1 takes tasks again; what moved away stays.
  manager.send({ type: 'worker.undrain', name: 'w1', at: at(5) });
  assert.equal(ledger().workers.get('w1')!.draining, false);
  manager.send({ type: 'task.submit', task: task('u1'), at: at(6) });
  manager.send({ type: 'task.submit', task: task('u2'), at: at(6) });
  assert.ok(
    ['u1', 'u2'].some((id) => ledger().tasks.get(id)!.Worker === 'w1'),
    'w1 is placed on again',
  );
  assert.equal(ledger().tasks.get('a')!.Worker, 'w2', 'what moved stays');
  manager.send({ type: 'worker.drain', name: 'w1', at: at(7) });
  // With every other worker down, a new task waits and says why.
  manager.send({ type: 'tick', at: at(20_000) });
  up('w1', 20_001);
  manager.send({ type: 'task.submit', task: task('e'), at: at(20_002) });
  assert.equal(ledger().tasks.get('e')!.State, 0);
  assert.match(ledger().tasks.get('e')!.Reason, /^no worker can take the task: 2 workers: 1 draining \(w1\), 1 down \(w2\)$/);
});

test("draining the only worker leaves its task Pending: the stop of its old copy is not the task's end", { timeout: 10_000 }, () => {
  const { manager, ledger, up, proxy } = startManager(['w1']);
  up('w1', 1);
  manager.send({ type: 'task.submit', task: task('a'), at: at(2) });
  const sent = ledger().tasks.get('a')!;
  manager.send({ type: 'task.updated', worker: 'w1', task: { ...sent, State: 2, StateName: 'running', Version: 1 } });
  manager.send({ type: 'worker.drain', name: 'w1', at: at(3) });
  assert.deepEqual(stops(proxy('w1').received), ['a']);
  assert.equal(ledger().tasks.get('a')!.StateName, 'pending');
  // The worker confirms the stop of the old placement.
  manager.send({ type: 'task.updated', worker: 'w1', task: { ...sent, State: 3, StateName: 'completed', Version: 2 } });
  const waiting = ledger().tasks.get('a')!;
  assert.equal(waiting.StateName, 'pending', 'still waiting for a worker');
  assert.match(waiting.Reason, /1 draining \(w1\)/);
  // Undrained, it runs again there, as a new placement.
  manager.send({ type: 'worker.undrain', name: 'w1', at: at(4) });
  assert.equal(ledger().tasks.get('a')!.Worker, 'w1');
  assert.notEqual(ledger().tasks.get('a')!.Placement, sent.Placement);
});

test('only a joined worker that is drained or down can be removed; its tasks are placed again and its proxy stops', { timeout: 10_000 }, () => {
  const { manager, ledger, up, proxy } = startManager(['w1']);
  const removed: string[] = [];
  manager.on('worker.removed', (event) => removed.push(event.name));
  manager.send({ type: 'worker.join', name: 'j1', address: 'j1:5555', at: at(1) });
  up('w1', 2);
  up('j1', 2);
  manager.send({ type: 'task.submit', task: task('a'), at: at(3) }); // round robin by name: j1 first
  manager.send({ type: 'task.submit', task: task('stopping'), at: at(3) });
  manager.send({ type: 'task.submit', task: task('b'), at: at(3) });
  assert.equal(ledger().tasks.get('a')!.Worker, 'j1');
  assert.equal(ledger().tasks.get('b')!.Worker, 'j1');
  manager.send({ type: 'task.stop', id: 'b', at: at(4) });

  assert.match(removalRefusal(ledger(), 'w1')!, /worker w1 is named by --workers of the leading manager/);
  assert.match(joinRefusal(ledger(), 'w1', '10.0.0.1:1')!, /worker w1 is named by --workers at w1:5555; give this one another name \(--name\)/);
  assert.match(removalRefusal(ledger(), 'j1')!, /worker j1 is up and not drained; drain it first \(cube node drain j1\)/);
  assert.match(removalRefusal(ledger(), 'nobody')!, /no worker nobody/);
  // Silent past the TTL: down, and removable.
  up('w1', 9_000);
  manager.send({ type: 'tick', at: at(10_003) });
  assert.equal(ledger().workers.get('j1')!.state, 'down');
  assert.equal(removalRefusal(ledger(), 'j1'), undefined);
  assert.equal(ledger().tasks.get('a')!.Worker, 'w1', 'a lost worker’s tasks moved already');

  manager.send({ type: 'worker.remove', name: 'j1', at: at(10_004) });
  assert.equal(ledger().workers.has('j1'), false);
  assert.equal(proxy('j1').stopped, true);
  assert.equal(ledger().done.has('b'), true, 'a stop asked of a task on it is complete (and kept as a Completed task)');
  assert.ok(ledger().log.some((e) => e.Type === 'Worker Removed' && e.Worker === 'j1'));
  assert.deepEqual(removed, ['j1'], 'the removal is announced once (GET /events: node.removed)');
  // It may join again later, as new.
  manager.send({ type: 'worker.join', name: 'j1', address: 'j1:5556', at: at(10_005) });
  assert.equal(ledger().workers.get('j1')!.state, 'unknown');
  assert.equal(proxy('j1').stopped, false, 'a new proxy');
});

test('removing a drained worker places what it still had', { timeout: 10_000 }, () => {
  const { manager, ledger, up } = startManager([]);
  manager.send({ type: 'worker.join', name: 'j1', address: 'j1:5555', at: at(1) });
  up('j1', 2);
  manager.send({ type: 'task.submit', task: task('a'), at: at(3) });
  manager.send({ type: 'worker.drain', name: 'j1', at: at(4) });
  assert.equal(ledger().tasks.get('a')!.State, 0, 'nowhere to go: it waits');
  manager.send({ type: 'worker.remove', name: 'j1', at: at(5) });
  assert.equal(ledger().tasks.get('a')!.State, 0);
  manager.send({ type: 'worker.join', name: 'j2', address: 'j2:5555', at: at(6) });
  up('j2', 7);
  assert.equal(ledger().tasks.get('a')!.Worker, 'j2');
});

test('a restored ledger numbers new placements after every stored placement and the floor it is given', { timeout: 10_000 }, () => {
  // Numbers past this start's clock (a manager elsewhere whose clock runs ahead): the clock alone would order below them.
  const ahead = Date.parse(at(0)) * 1000 + 5e9;
  const stored: Task = { ...task('a'), State: 2, StateName: 'running', Worker: 'w1', Placement: `old.${ahead.toString(36)}`, Version: 7 };
  const logic = managerMachine.provide({ actors: { remoteWorker: fromCallback(() => undefined), clock: fromCallback(() => undefined) } });
  const restore = (versionFloor?: number) => {
    const manager = createActor(logic, {
      input: {
        workers: [{ name: 'w1', address: 'w1:1' }],
        placement: placementPolicy('roundrobin'),
        heartbeatTtlMs: 1e9,
        startedAt: at(0),
        incarnation: 'i1',
        restore: { tasks: [stored], stopRequested: [], log: [], versionFloor },
      },
    });
    manager.start();
    running.push(manager);
    return manager.getSnapshot().context.ledger.seq;
  };
  assert.equal(restore(), ahead + 1, 'after the placement’s number, not only the record’s version or the clock');
  assert.equal(restore(ahead + 1e6), ahead + 1e6 + 1, 'after the floor');
});

test('a task with a named volume goes back to the worker that holds it: it waits while that worker is down or drained', { timeout: 10_000 }, () => {
  const { manager, ledger, up, proxy } = startManager(['w1', 'w2']);
  up('w1', 1);
  up('w2', 1);
  const withVolume = (id: string): Task => ({ ...task(id), Mounts: [{ Type: 'volume', Source: 'pgdata', Target: '/data', ReadOnly: false, Size: 0 }] });
  manager.send({ type: 'task.submit', task: withVolume('db'), at: at(2) });
  const home = ledger().tasks.get('db')!.Worker;
  const other = home === 'w1' ? 'w2' : 'w1';
  assert.equal(ledger().volumes.get('pgdata'), home);
  // Its worker goes silent: the task is placed again, but waits for that worker rather than start empty on the other.
  up(other, 12_000);
  manager.send({ type: 'tick', at: at(12_001) });
  const waiting = ledger().tasks.get('db')!;
  assert.equal(waiting.StateName, 'pending');
  assert.match(waiting.Reason, new RegExp(`^waiting for worker ${home}, which holds its volume pgdata: the worker is down`));
  assert.deepEqual(runs(proxy(other).received), []);
  // Back: it runs there again.
  up(home, 12_002);
  assert.equal(ledger().tasks.get('db')!.Worker, home);
  // Drained: it waits; the volume removed, it goes to the other worker.
  manager.send({ type: 'worker.drain', name: home, at: at(12_003) });
  assert.match(ledger().tasks.get('db')!.Reason, /the worker is drained\. Undrain it/);
  manager.send({ type: 'volume.removed', worker: home, volume: 'pgdata', at: at(12_004) });
  assert.equal(ledger().tasks.get('db')!.Worker, other);
  assert.deepEqual(runs(proxy(other).received), ['db']);
  assert.equal(ledger().volumes.get('pgdata'), other, 'made again, empty, where it landed');
});

test("a removed worker's volumes tie nothing to it any more", { timeout: 10_000 }, () => {
  const { manager, ledger, up } = startManager(['w1']);
  up('w1', 1);
  manager.send({ type: 'worker.join', name: 'j1', address: '10.0.0.9:5555', at: at(2) });
  ledger().volumes.set('v', 'j1');
  manager.send({ type: 'worker.drain', name: 'j1', at: at(3) });
  manager.send({ type: 'worker.remove', name: 'j1', at: at(4) });
  assert.equal(ledger().volumes.has('v'), false);
});

test('a volume whose worker the manager does not have (a shorter --workers) ties the task to nothing', { timeout: 10_000 }, () => {
  const { manager, ledger, up, proxy } = startManager(['w1']);
  up('w1', 1);
  ledger().volumes.set('v', 'gone');
  const withVolume: Task = { ...task('a'), Mounts: [{ Type: 'volume', Source: 'v', Target: '/data', ReadOnly: false, Size: 0 }] };
  manager.send({ type: 'task.submit', task: withVolume, at: at(2) });
  assert.deepEqual(runs(proxy('w1').received), ['a']);
  assert.equal(ledger().volumes.get('v'), 'w1', 'made again, empty, where it landed');
});
