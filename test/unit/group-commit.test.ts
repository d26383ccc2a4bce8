// Group commit of intents (src/actors/command-batch.ts, src/store/intent-batch.ts)
// together with the per-task lanes of the HTTP edge (src/manager/run/service.ts):
// commands that arrive in one turn are written in one transaction before any
// is carried out; a second command about a task waits for the first; a write
// that fails answers every command of its batch 503 and carries none out.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagerService } from '../../src/manager/run/service.js';
import { ManagerWrites } from '../../src/store/manager-writes.js';
import { IntentBatch } from '../../src/store/intent-batch.js';
import { MemoryManagerStore, type TaskRow } from '../../src/store/manager-store.js';
import { silentLog } from '../../src/log.js';
import { newTask } from '../../src/vocabulary/task.js';
import { startManagerActor } from '../helpers/manager-actor.js';

const running: { stop(): unknown }[] = [];
afterEach(() => running.splice(0).forEach((a) => a.stop()), { timeout: 20_000 });

/** A memory store that counts its transactions, and fails them while `failing` says why. */
class CountingStore extends MemoryManagerStore {
  transactions: [string, TaskRow | null][][] = [];
  failing = '';
  override write(rows: [string, TaskRow | null][], meta: Parameters<MemoryManagerStore['write']>[1]): void {
    if (this.failing) throw new Error(this.failing);
    if (rows.length > 0) this.transactions.push(rows);
    super.write(rows, meta);
  }
}

function startManager() {
  const store = new CountingStore();
  const intents = new IntentBatch();
  const writes = new ManagerWrites(store, 'test', silentLog, intents);
  const { actor, received } = startManagerActor({ writes });
  running.push(actor);
  const service = new ManagerService(actor, writes, silentLog, intents);
  return { service, store, received };
}

const task = (id: string) => newTask({ ID: id, Name: `task-${id}`, Image: 'img' });
/** Transactions whose rows are intents of new tasks (Pending or placed at once), not later saves. */
const intentsIn = (store: CountingStore, ids: string[]) => store.transactions.filter((rows) => rows.some(([id]) => ids.includes(id)));

test('POSTs of one turn are written in one transaction before any is carried out, and each is answered with its task', { timeout: 10_000 }, async () => {
  const { service, store, received } = startManager();
  const ids = Array.from({ length: 50 }, (_, i) => `t${i}`);
  const answers = await Promise.all(ids.map((id) => service.submit(task(id), 1000)));
  assert.deepEqual(
    answers.map((a) => a.task.ID),
    ids,
  );
  assert.ok(
    answers.every((a) => a.task.Worker === 'w1'),
    'each placed',
  );
  const first = intentsIn(store, ids)[0]!;
  assert.equal(first.length, 50, 'the fifty intents went in the first transaction that held any of them');
  assert.equal(received.filter((m) => m.type === 'task.run').length, 50);
});

test('a second command about a task waits for the first (one intent per task at a time), and both are carried out', { timeout: 10_000 }, async () => {
  const { service, received } = startManager();
  const submitted = service.submit(task('a'), 1000);
  const stopped = service.stop('a', 50);
  const [{ task: accepted }] = await Promise.all([submitted, stopped.catch(() => undefined)]);
  assert.equal(accepted.ID, 'a');
  assert.ok(service.ledger().stopRequested.has('a') || service.ledger().done.has('a'), 'the stop came after the POST, and was taken');
  assert.ok(received.some((m) => m.type === 'task.stop' && m.id === 'a'));
});

test('a batch whose write fails answers each of its commands 503 and carries none out; the next batch is written', { timeout: 10_000 }, async () => {
  const { service, store, received } = startManager();
  store.failing = 'database or disk is full';
  const results = await Promise.allSettled(['x', 'y'].map((id) => service.submit(task(id), 1000)));
  for (const result of results) {
    assert.equal(result.status, 'rejected');
    assert.equal((result.reason as { status: number }).status, 503);
    assert.match(String((result.reason as Error).message), /disk is full/);
  }
  assert.equal(received.length, 0, 'nothing reached the worker');
  assert.equal(service.ledger().tasks.size, 0, 'nothing kept in memory');
  store.failing = '';
  const { task: again } = await service.submit(task('x'), 1000);
  assert.equal(again.Worker, 'w1');
});
