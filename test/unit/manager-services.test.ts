// The manager with services (docs/spec.md §9), in one process with no Docker:
// the real manager machine spawns a service's machine, places its copies on
// distinct workers, follows their reports to a stable service, rolls out a
// new version, and stops every copy when the service is deleted. The workers
// are proxies the test speaks for.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyActorRef } from 'xstate';
import { newService, type ServiceCommand } from '../../machines/service/record.js';
import type { ManagerWriter } from '../../src/store/manager-writes.js';
import { DEFAULT_UPDATE, type Service } from '../../src/vocabulary/service.js';
import type { ToWorker } from '../../src/vocabulary/protocol.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { laterStore } from '../helpers/later-store.js';
import { startManagerActor } from '../helpers/manager-actor.js';

const UID = '6be4cb6b-61d1-40cb-bc7b-9cacefefa60c';
const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

const web = (count = 3, image = 'hello:1') =>
  newService(
    {
      Name: 'web',
      Count: count,
      Task: { ...newTask({ ID: '', Name: '', Image: image }) } as never,
      Update: { ...DEFAULT_UPDATE, MinHealthy: '1s' },
      ShutdownDelay: '0',
    },
    UID,
    at(0),
  );

const running: { stop(): void }[] = [];
afterEach(() => running.splice(0).forEach((actor) => actor.stop()), { timeout: 10_000 });

function cluster(writes?: ManagerWriter) {
  const manager = startManagerActor({ workers: ['w1', 'w2', 'w3'], statsAt: at(0), startedAt: at(0), ...(writes ? { writes } : {}) });
  running.push(manager.actor);
  const runs = (worker: string) => manager.to.get(worker)!.filter((m): m is Extract<ToWorker, { type: 'task.run' }> => m.type === 'task.run');
  /** Every copy sent to a worker and not yet reported comes back Running from it, started at `when` (heard at `heard`, if dated). */
  const startAll = (when: number, heard?: number) => {
    for (const worker of ['w1', 'w2', 'w3']) {
      for (const { task } of runs(worker)) {
        const record = manager.actor.getSnapshot().context.ledger.tasks.get(task.ID);
        if (!record || record.StateName !== 'scheduled') continue;
        const running: Task = {
          ...task,
          // A worker is sent a task as a client would send it, and keeps none of the keys Cube owns.
          Service: '',
          Slot: 0,
          ServiceVersion: 0,
          State: 2,
          StateName: 'running',
          Version: task.Version + 100,
          Events: [...task.Events, { Time: at(when), Type: 'Started', Message: 'started' }],
        };
        manager.say({ type: 'task.updated', worker, task: running, ...(heard === undefined ? {} : { at: at(heard) }) });
      }
    }
  };
  /** Every stop a worker was sent is carried out: the copy reports Completed. */
  const confirmStops = (when: number) => {
    for (const worker of ['w1', 'w2', 'w3']) {
      for (const message of manager.to.get(worker)!) {
        const record = message.type === 'task.stop' ? manager.actor.getSnapshot().context.ledger.tasks.get(message.id) : undefined;
        if (!record || record.StateName === 'completed') continue;
        const events = [...record.Events, { Time: at(when), Type: 'Killed', Message: 'stopped' }];
        manager.say({ type: 'task.updated', worker, task: { ...record, State: 3, StateName: 'completed', Version: record.Version + 100, Events: events } });
      }
    }
  };
  const service = () => manager.actor.system.get('service:web') as AnyActorRef | undefined;
  const record = () => service()!.getSnapshot().context.service as Service;
  const tick = (ms: number) => manager.actor.send({ type: 'tick', at: at(ms) });
  const command = (command: ServiceCommand, ms: number) => service()!.send({ type: 'service.command', command, at: at(ms) });
  return { manager, runs, startAll, confirmStops, service, record, tick, command };
}

test("a service's copies are tasks of the manager, placed on distinct workers, and it is stable once they run", { timeout: 10_000 }, () => {
  const c = cluster();
  c.manager.actor.send({ type: 'service.create', service: web(), at: at(0) });
  assert.ok(c.service(), 'the service machine is a child: service:web');
  const placed = ['w1', 'w2', 'w3'].map((w) => c.runs(w).length);
  assert.deepEqual(placed, [1, 1, 1], 'one copy on each worker');
  const tasks = [...c.manager.actor.getSnapshot().context.ledger.tasks.values()];
  assert.deepEqual(tasks.map((t) => [t.Service, t.ServiceVersion]).sort(), [
    ['web', 1],
    ['web', 1],
    ['web', 1],
  ]);
  c.startAll(0);
  c.tick(1000);
  assert.equal(c.record().StateName, 'stable');
  assert.equal(c.record().Healthy, 3);
});

test('a report dated when it was heard moves the service on then, not at the next tick', { timeout: 10_000 }, () => {
  const c = cluster();
  c.tick(0);
  c.manager.actor.send({ type: 'service.create', service: web(), at: at(0) });
  // Started at 0.5 s, heard at 1.5 s: healthy for MinHealthy (1 s) when heard, with no tick since 0.
  c.startAll(500, 1500);
  assert.equal(c.manager.actor.getSnapshot().context.ledger.now, at(1500), "the manager's time is the report's");
  assert.equal(c.record().StateName, 'stable', 'the copies count as the report is heard');
  c.tick(1200);
  assert.equal(c.manager.actor.getSnapshot().context.ledger.now, at(1500), 'a tick dated before it does not take the time back');
});

test('an update rolls out one copy at a time through the manager, and the old copies are stopped on their workers', { timeout: 10_000 }, () => {
  const c = cluster();
  c.manager.actor.send({ type: 'service.create', service: web(), at: at(0) });
  c.startAll(0);
  c.tick(1000);
  const definition = {
    Name: 'web',
    Count: 3,
    Task: { ...c.record().Versions[0]!.Task, Image: 'hello:2' },
    Update: c.record().Versions[0]!.Update,
    ShutdownDelay: '0',
  };
  c.command({ kind: 'update', definition }, 2000);
  assert.equal(c.record().StateName, 'deploying');
  let clock = 2000;
  for (let i = 0; i < 3; i++) {
    c.startAll(clock);
    clock += 1000;
    c.tick(clock);
    c.confirmStops(clock);
  }
  c.tick((clock += 1000));
  const stops = ['w1', 'w2', 'w3'].flatMap((w) => c.manager.to.get(w)!.filter((m) => m.type === 'task.stop'));
  assert.equal(stops.length, 3, 'each old copy is stopped where it runs');
  const live = [...c.manager.actor.getSnapshot().context.ledger.tasks.values()].filter(
    (t) => t.Service === 'web' && !c.manager.actor.getSnapshot().context.ledger.stopRequested.has(t.ID),
  );
  assert.deepEqual(live.map((t) => t.Image).sort(), ['hello:2', 'hello:2', 'hello:2']);
});

test('deleting a service stops its machine and every copy; a copy of a service the manager does not know is stopped at start', { timeout: 10_000 }, () => {
  const c = cluster();
  c.manager.actor.send({ type: 'service.create', service: web(2), at: at(0) });
  c.startAll(0);
  c.manager.actor.send({ type: 'service.remove', name: 'web', at: at(500) });
  assert.equal(c.service(), undefined);
  const ledger = c.manager.actor.getSnapshot().context.ledger;
  assert.equal([...ledger.tasks.values()].filter((t) => t.Service === 'web' && !ledger.stopRequested.has(t.ID)).length, 0);
  assert.ok(ledger.log.some((e) => e.Type === 'Service Deleted'));

  // A manager killed between the delete and the stops: its store still has a copy, and no service.
  const copy = { ...c.manager.actor.getSnapshot().context.ledger.tasks.values().next().value!, StateName: 'running' as const, State: 2 as const };
  const restarted = startManagerActor({
    workers: ['w1', 'w2', 'w3'],
    statsAt: at(0),
    startedAt: at(1000),
    restore: { tasks: [copy], stopRequested: [], log: [] },
  });
  running.push(restarted.actor);
  assert.ok(restarted.actor.getSnapshot().context.ledger.stopRequested.has(copy.ID), 'the orphan copy is stopped');
  assert.ok(restarted.to.get(copy.Worker)!.some((m) => m.type === 'task.stop' && m.id === copy.ID));
});

test('a manager restarted without the worker of a copy places the copy again and its service follows it', { timeout: 10_000 }, () => {
  const c = cluster();
  c.manager.actor.send({ type: 'service.create', service: web(2), at: at(0) });
  c.startAll(0);
  const ledger = c.manager.actor.getSnapshot().context.ledger;
  const copies = [...ledger.tasks.values()].filter((t) => t.Service === 'web');
  const gone = copies[0]!.Worker;
  // Restarted with the list of workers leaving out one that ran a copy (the simulator's seed 64 with services):
  // the orphan is placed again, and its service hears of it, so its machine must be there first.
  const restarted = startManagerActor({
    workers: ['w1', 'w2', 'w3'].filter((w) => w !== gone),
    statsAt: at(0),
    startedAt: at(1000),
    restore: { tasks: copies, stopRequested: [], log: [], services: [c.record()] },
  });
  running.push(restarted.actor);
  assert.equal(restarted.actor.getSnapshot().status, 'active', 'the manager did not stop with an error');
  const service = restarted.actor.system.get('service:web') as AnyActorRef | undefined;
  assert.ok(service, 'the service is running again');
  const moved = (service.getSnapshot().context.copies as Map<string, { Worker: string }>).get(copies[0]!.ID);
  assert.notEqual(moved?.Worker, gone, 'the service follows its copy placed again');
});

test('a user cannot change the definition of a copy: the service owns it', { timeout: 10_000 }, () => {
  const c = cluster();
  c.manager.actor.send({ type: 'service.create', service: web(1), at: at(0) });
  const copy = [...c.manager.actor.getSnapshot().context.ledger.tasks.values()][0]!;
  const refused: string[] = [];
  c.manager.actor.on('task.refused', (e) => void refused.push(e.reason));
  c.manager.actor.send({ type: 'task.submit', task: { ...copy, Image: 'other:1' }, at: at(10) });
  assert.match(refused[0] ?? '', /is a copy of service web; change the service instead/);
});

test("a service's copies mount one volume per slot, and each goes back to its slot's volume's worker", { timeout: 10_000 }, () => {
  const c = cluster();
  const service = web(2);
  const template = { ...service.Versions[0]!.Task, Mounts: [{ Type: 'volume' as const, Source: 'pgdata', Target: '/data', ReadOnly: false, Size: 0 }] };
  c.manager.actor.send({ type: 'service.create', service: { ...service, Versions: [{ ...service.Versions[0]!, Task: template }] }, at: at(0) });
  const ledger = () => c.manager.actor.getSnapshot().context.ledger;
  const copies = [...ledger().tasks.values()].sort((a, b) => a.Slot - b.Slot);
  assert.deepEqual(
    copies.map((t) => [t.Slot, t.Mounts.map((m) => m.Source)]),
    [
      [0, ['pgdata-0']],
      [1, ['pgdata-1']],
    ],
  );
  assert.deepEqual(
    copies.map((t) => ledger().volumes.get(`pgdata-${t.Slot}`)),
    copies.map((t) => t.Worker),
    'each volume lives where its copy was placed',
  );
});

test('a copy whose task or stop the store cannot write is asked for again, not waited for (sim seed 553)', { timeout: 10_000 }, () => {
  const { store, intents } = laterStore();
  const c = cluster(store);
  c.manager.actor.send({ type: 'service.create', service: web(1), at: at(0) });
  assert.equal(intents.length, 1, "the copy's task is being written");
  intents[0]!.reject(new Error('database or disk is full'));
  // The service heard that its copy is not there, and asks for another at its next look.
  c.tick(1000);
  assert.equal(intents.length, 2, 'a new copy is asked for');
  assert.notEqual(intents[1]!.task.ID, intents[0]!.task.ID);
  intents[1]!.resolve();
  c.startAll(1000);
  c.tick(3000);
  assert.equal(c.record().StateName, 'stable');
  // A stop (scaled to none) that cannot be written: the copy is live again for the service, which asks again.
  c.command({ kind: 'scale', count: 0 }, 4000);
  const stop = intents.at(-1)!;
  assert.equal(stop.stopRequested, true, 'the stop of the copy is being written');
  stop.reject(new Error('database or disk is full'));
  c.tick(5000);
  assert.equal(intents.at(-1)!.stopRequested, true);
  assert.notEqual(intents.at(-1), stop, 'its stop is asked for again');
});

test('a copy whose start or stop the store refuses at once is asked for again a second later, not in a loop (sim seed 4774)', { timeout: 10_000 }, () => {
  // As SQLite with a full disk: the intent's write fails before `intent` returns. A service that asked again at once
  // would loop in one turn for as long as the disk is full; past 20 tries this store takes the write, ending such a loop.
  const tries: { id: string; stopRequested: boolean }[] = [];
  let full = true;
  const store: ManagerWriter = {
    ...laterStore().store,
    intent: (task, stopRequested, done) => {
      tries.push({ id: task.ID, stopRequested });
      done(full && tries.length < 20 ? 'the disk is full' : '');
    },
  };
  const c = cluster(store);
  c.manager.actor.send({ type: 'service.create', service: web(1), at: at(0) });
  assert.equal(tries.length, 1, 'one try for the copy, then a wait');
  c.tick(999);
  assert.equal(tries.length, 1, 'nothing more within the second');
  c.tick(1000);
  assert.equal(tries.length, 2, 'a second later, the copy is asked for again');
  full = false;
  c.tick(2000);
  assert.equal(tries.length, 3);
  c.startAll(2000);
  c.tick(4000);
  assert.equal(c.record().StateName, 'stable');
  // Its stop (scaled to none) refused the same way.
  full = true;
  c.command({ kind: 'scale', count: 0 }, 5000);
  const stops = () => tries.filter((t) => t.stopRequested).length;
  assert.equal(stops(), 1, 'one try for the stop, then a wait');
  c.tick(5999);
  assert.equal(stops(), 1);
  full = false;
  c.tick(6000);
  assert.equal(stops(), 2, 'a second later, the stop is asked for again');
  assert.equal(c.manager.actor.getSnapshot().context.ledger.stopRequested.size, 1, 'and this time it is made');
});
