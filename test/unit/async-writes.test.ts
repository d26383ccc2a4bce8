// A store that answers later (etcd; docs/architecture.md §7, "Writes that
// answer later"): the HTTP edge waits for `intent.persisted`, one command per
// task at a time; a failed intent is answered 503 and undone in the store; a
// manager that stops serving answers what still waits; and commands reach a
// worker only after the writes before them. The manager machine runs with
// remote workers the test speaks for and a store the test answers for.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromCallback } from 'xstate';
import { ManagerService } from '../../src/manager/run/service.js';
import type { ManagerWriter } from '../../src/store/manager-writes.js';
import { afterWrites } from '../../src/manager/proxies/write-barrier.js';
import type { ToWorker } from '../../src/vocabulary/protocol.js';
import { newTask } from '../../src/vocabulary/task.js';
import { laterStore } from '../helpers/later-store.js';
import { startManagerActor } from '../helpers/manager-actor.js';

const running: { stop(): unknown }[] = [];
afterEach(() => running.splice(0).forEach((a) => a.stop()), { timeout: 20_000 });

function startManager(store: ManagerWriter) {
  const { actor, received } = startManagerActor({ writes: store });
  running.push(actor);
  return { actor, service: new ManagerService(actor, store), received };
}

const task = (id: string) => newTask({ ID: id, Name: `task-${id}`, Image: 'img' });
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a POST is answered once its intent is stored, not when the command is sent', { timeout: 10_000 }, async () => {
  const { store, intents } = laterStore();
  const { service, received } = startManager(store);
  let answered = false;
  const submitted = service.submit(task('a'), 1000).then((r) => ((answered = true), r));
  await settle();
  assert.equal(intents.length, 1, 'the intent is being written');
  assert.equal(answered, false, 'no answer before it is stored');
  assert.equal(received.length, 0, 'nothing is carried out before it is stored');
  intents[0]!.resolve();
  const { task: accepted } = await submitted;
  assert.equal(accepted.Worker, 'w1');
  assert.equal(received.filter((m) => m.type === 'task.run').length, 1);
});

test('an intent the store refuses is answered 503 with its reason, taken back in the ledger, and undone in the store', { timeout: 10_000 }, async () => {
  const { store, intents, undone } = laterStore();
  const { service, received } = startManager(store);
  const submitted = service.submit(task('a'), 1000);
  await settle();
  intents[0]!.reject(new Error('etcd did not store it: etcd at http://e:2379 did not answer within 2000 ms'));
  await assert.rejects(submitted, (error: { status?: number; message: string }) => {
    assert.equal(error.status, 503);
    assert.match(error.message, /could not store the new task of task a \(etcd did not store it: etcd at http:\/\/e:2379 did not answer within 2000 ms\)/);
    return true;
  });
  assert.equal(service.ledger().tasks.has('a'), false, 'the ledger does not keep it');
  assert.deepEqual(undone, [['a', undefined]], 'the store is told the task is not there (its write may have been applied)');
  assert.equal(received.length, 0);
});

test('commands about one task go one at a time: a DELETE sent during the POST’s write waits for it', { timeout: 10_000 }, async () => {
  const { store, intents } = laterStore();
  const { service } = startManager(store);
  const submitted = service.submit(task('a'), 1000);
  const stopped = service.stop('a', 50).catch((e: Error) => e);
  await settle();
  assert.deepEqual(
    intents.map((i) => [i.task.ID, i.stopRequested]),
    [['a', false]],
    'the stop waits for the POST’s intent',
  );
  intents[0]!.resolve();
  await submitted;
  await settle();
  assert.deepEqual(
    intents.map((i) => [i.task.ID, i.stopRequested]),
    [
      ['a', false],
      ['a', true],
    ],
  );
  intents[1]!.resolve();
  assert.equal(await stopped, false, 'stored, and not confirmed by the worker within 50 ms: 202');
  assert.ok(service.ledger().stopRequested.has('a'));
});

test('a manager that stops serving answers the commands still waiting for their write with 503', { timeout: 10_000 }, async () => {
  const { store } = laterStore();
  const { service } = startManager(store);
  const submitted = service.submit(task('a'), 1000);
  await settle();
  service.close('manager m1 stopped leading (its lease ran out); send the request again: another manager takes it');
  await assert.rejects(submitted, (error: { status?: number; message: string }) => error.status === 503 && /stopped leading/.test(error.message));
});

test('a worker gets each run and stop only after every write made before it is stored, in order; a sync asks at once', { timeout: 10_000 }, async () => {
  const received: string[] = [];
  let release: () => void = () => undefined;
  let writes = Promise.resolve();
  const settled = () => writes;
  const proxy = afterWrites(
    fromCallback<ToWorker, { name: string }>(({ receive }) =>
      receive((m) => void received.push(m.type === 'task.stop' ? `stop ${m.id}` : m.type === 'task.run' ? `run ${m.task.ID}` : m.type)),
    ),
    settled,
  );
  // No stats: the worker is never up, so the manager itself sends it nothing.
  const { actor: parent } = startManagerActor({ proxy, statsAt: false });
  running.push(parent);
  const child = parent.system.get('worker:w1')!;
  writes = new Promise<void>((resolve) => (release = resolve)); // a write under way
  child.send({ type: 'task.run', task: task('a'), at: '' });
  child.send({ type: 'task.stop', id: 'a', placement: '', at: '' });
  child.send({ type: 'worker.sync', at: '' });
  await settle();
  assert.deepEqual(received, ['worker.sync'], 'the commands wait for the write');
  release();
  await settle();
  assert.deepEqual(received, ['worker.sync', 'run a', 'stop a']);
});
