// The manager's proxy of a book-protocol worker (src/manager/proxies/book-worker.ts),
// driven message by message against the book worker of test/helpers (real
// HTTP, real Docker): it never sends a run the worker has, holds a stop until
// the worker can carry it out, and says why it cannot do what the book cannot.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { nanoid } from 'nanoid';
import { createActor, setup } from 'xstate';
import { bookWorkerActor } from '../../src/manager/proxies/book-worker.js';
import { silentLog } from '../../src/log.js';
import type { FromWorker, ToWorker } from '../../src/vocabulary/protocol.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { startBookWorker, type BookWorker } from '../helpers/book-worker.js';
import { inspectContainer } from '../helpers/docker.js';
import { post } from '../helpers/http.js';

/** The proxy as the manager's child: what it reports is collected, and waited on. */
function proxyOf(t: TestContext, worker: BookWorker) {
  const reports: FromWorker[] = [];
  const waiters = new Set<() => void>();
  const parent = setup({ actors: { proxy: bookWorkerActor({ pollMs: 100, callTimeoutMs: 5000, maxBytes: 1 << 20, log: silentLog }) } }).createMachine({
    invoke: { id: 'proxy', src: 'proxy', input: { name: worker.name, address: worker.address } },
    on: {
      '*': {
        actions: ({ event }) => {
          reports.push(event as FromWorker);
          for (const waiter of waiters) waiter();
        },
      },
    },
  });
  const actor = createActor(parent).start();
  t.after(() => actor.stop());
  return {
    reports,
    send: (message: ToWorker) => actor.getSnapshot().children['proxy']!.send(message),
    /** The first report, from now on or already in, that `match` accepts. */
    until: <T extends FromWorker>(match: (report: FromWorker) => report is T, from = 0): Promise<T> =>
      new Promise((resolve) => {
        const check = () => {
          const found = reports.slice(from).find(match);
          if (!found) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      }),
  };
}

const task = (fields: Partial<Task> = {}) =>
  newTask({ ID: randomUUID(), Name: `bp-${nanoid(8)}`, Image: 'strm/helloworld-http', Placement: 'm1.1', ...fields });
const updated =
  (id: string, done: (task: Task) => boolean) =>
  (r: FromWorker): r is Extract<FromWorker, { type: 'task.updated' }> =>
    r.type === 'task.updated' && r.task.ID === id && done(r.task);
const at = () => new Date().toISOString();

test(
  'a run the book worker already has is never POSTed again: resent, it is reported as it is; as a new placement, it is refused',
  { timeout: 60_000 },
  async (t) => {
    const worker = await startBookWorker(t);
    const proxy = proxyOf(t, worker);
    const one = task();
    proxy.send({ type: 'task.run', task: one, at: at() });
    const running = await proxy.until(updated(one.ID, (x) => x.State === 2));
    assert.equal(running.task.StateName, 'running');
    assert.deepEqual(Object.keys(running.task.HostPorts ?? {}), ['80/tcp']);
    assert.deepEqual(
      running.task.Events.map((e) => e.Type),
      ['Scheduled', 'Started'],
    );

    const mark = proxy.reports.length;
    proxy.send({ type: 'task.run', task: one, at: at() }); // the same placement again: a resend
    proxy.send({ type: 'task.run', task: { ...one, Placement: 'm1.2' }, at: at() }); // a restart: a new placement
    const refused = await proxy.until((r): r is Extract<FromWorker, { type: 'task.refused' }> => r.type === 'task.refused', mark);
    assert.match(refused.reason, /speaks the book's protocol, which cannot run a task it has again/);
    assert.deepEqual([refused.placement, refused.command, refused.status], ['m1.2', 'run', 409]);
    assert.equal(proxy.reports.slice(mark).filter((r) => r.type === 'task.refused').length, 1, 'the resend is not refused');
    assert.equal(worker.posts.length, 1, 'one POST, however often the run was sent');
    assert.equal(worker.tasks()[0]!.State, 2);
    assert.equal((await inspectContainer(running.task.ContainerID))?.State.Running, true);
  },
);

test('a stop of a task still in the book worker’s queue waits until it runs, then stops it', { timeout: 60_000 }, async (t) => {
  const worker = await startBookWorker(t, { queueDelayMs: 400 });
  const proxy = proxyOf(t, worker);
  const one = task();
  proxy.send({ type: 'task.run', task: one, at: at() });
  await proxy.until(updated(one.ID, (x) => x.State === 1));
  proxy.send({ type: 'task.stop', id: one.ID, placement: one.Placement, at: at() }); // unlisted yet: a DELETE now would crash its handler
  proxy.send({ type: 'task.run', task: one, at: at() }); // a resend meanwhile is not a second POST
  const done = await proxy.until(updated(one.ID, (x) => x.State === 3));
  assert.equal(done.task.StateName, 'completed');
  assert.equal(worker.posts.length, 1);
  assert.ok(worker.tasks().every((x) => x.State === 3));
});

test('what the book cannot do: Env or Cmd is refused unsent; a Failed task is let go as Completed, naming its container', { timeout: 60_000 }, async (t) => {
  const worker = await startBookWorker(t);
  const proxy = proxyOf(t, worker);
  const withEnv = task({ Env: ['GREETING=hi'] });
  proxy.send({ type: 'task.run', task: withEnv, at: at() });
  const refused = await proxy.until((r): r is Extract<FromWorker, { type: 'task.refused' }> => r.type === 'task.refused' && r.id === withEnv.ID);
  assert.match(refused.reason, /speaks the book's protocol, which has no Env or Cmd/);
  assert.equal(worker.posts.length, 0);

  // A task the worker itself failed: POSTed twice straight to it, the second container is refused by name.
  const twice = task();
  const event = { ID: randomUUID(), State: 2, Task: { ID: twice.ID, Name: twice.Name, Image: twice.Image, State: 1 } };
  await post(`${worker.url}/tasks`, event);
  await worker.untilTask(twice.ID, (x) => x.State === 2);
  await post(`${worker.url}/tasks`, { ...event, ID: randomUUID() });
  const broken = await worker.untilTask(twice.ID, (x) => x.State === 4);
  proxy.send({ type: 'task.stop', id: twice.ID, placement: '', at: at() });
  const letGo = await proxy.until(updated(twice.ID, (x) => x.State === 3));
  assert.match(
    letGo.task.Events.at(-1)!.Message,
    new RegExp(`cannot remove a Failed task's container ${broken.ContainerID.slice(0, 12)}: remove it there with docker rm ${twice.Name}`),
  );
  const later = proxy.reports.length;
  proxy.send({ type: 'worker.sync', at: at() });
  const full = await proxy.until((r): r is Extract<FromWorker, { type: 'worker.tasks' }> => r.type === 'worker.tasks', later);
  assert.equal(full.tasks.find((x) => x.ID === twice.ID)?.State, 3, 'it stays Completed for Cube, though the worker still says Failed');
});

test('the proxy’s heartbeat is its polls: the book’s stats read as Cube’s, and the CPUs counted from the jiffies', { timeout: 60_000 }, async (t) => {
  const worker = await startBookWorker(t);
  const proxy = proxyOf(t, worker);
  const counted = await proxy.until((r): r is Extract<FromWorker, { type: 'worker.stats' }> => r.type === 'worker.stats' && r.stats.CpuCount > 0);
  const stats = counted.stats as typeof counted.stats & { MemStats: { mem_total: number } };
  assert.equal(stats.MemoryTotal, stats.MemStats.mem_total * 1024);
  assert.equal(stats.CpuCount, (await import('node:os')).cpus().length, 'the same host: its CPUs');
  assert.ok(stats.CpuUsage >= 0 && stats.CpuUsage <= 1);
  assert.ok(stats.DiskTotal > 0 && stats.DiskFree > 0);
});
