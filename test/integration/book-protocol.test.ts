// Cube's manager with a worker that speaks the book's protocol (the book
// worker of test/helpers: real HTTP, real Docker): it learns the protocol from
// the 404 on GET /events, places and stops tasks there by polling, and a
// worker that answers garbage is suspect, with the field named, until it
// answers well again; the manager keeps serving throughout.
import { createServer, type AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { startManager } from '../../src/manager/start.js';
import { silentLog } from '../../src/log.js';
import type { NodeView } from '../../src/manager/views/node-view.js';
import type { Task } from '../../src/vocabulary/task.js';
import { startBookWorker, type Garbage } from '../helpers/book-worker.js';
import { inspectContainer } from '../helpers/docker.js';
import { bookRecording } from '../helpers/examples.js';
import { del, get, post } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';
import { untilView } from '../helpers/watch.js';

async function managerOf(t: TestContext, workers: string[]) {
  // A long TTL: a worker that answers garbage for a while stays suspect and keeps its tasks.
  const manager = await startManager({
    port: 0,
    workers,
    settings: testSettings({ bookPollMs: 100, reconcileIntervalMs: 300, heartbeatTtlMs: 60_000 }),
    log: silentLog,
  });
  t.after(() => manager.close());
  return manager;
}

const nodeOf = (url: string) => async () => (await get<NodeView[]>(`${url}/nodes`)).body[0]!;

test('the manager learns a worker speaks the book’s protocol, places a task there, never POSTs it twice, and stops it', { timeout: 60_000 }, async (t) => {
  const book = await startBookWorker(t);
  const manager = await managerOf(t, [book.address]);
  await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
  const node = await nodeOf(manager.url)();
  assert.equal(node.Protocol, 'book');
  assert.equal(node.Api, `http://${book.address}`);
  assert.equal(node.Ip, '127.0.0.1');
  assert.equal(node.Memory, node.Stats!.MemStats.mem_total, 'Memory in kB, as the book counts it');
  assert.equal(node.MemoryTotal, node.Memory * 1024);
  assert.deepEqual(Object.keys(node.Stats!), Object.keys(bookRecording('stats.json').json));

  const created = await post<Task>(`${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: `bk-${nanoid(8)}` } });
  assert.equal(created.status, 201);
  assert.match(created.body.ID, /^[0-9a-f-]{36}$/, 'an ID the book can parse');
  assert.equal(created.body.Worker, book.address);
  const view = await untilView(manager.url, (v) => v.tasks.some((x) => x.ID === created.body.ID && x.State === 2));
  const running = view.tasks.find((x) => x.ID === created.body.ID)!;
  assert.ok((await inspectContainer(running.ContainerID))?.State.Running);
  assert.deepEqual(Object.keys(running.HostPorts ?? {}), ['80/tcp']);
  assert.deepEqual(
    running.Events.map((e) => e.Type),
    ['Received', 'Placed', 'Scheduled', 'Started'],
  );

  // A user's restart cannot be carried out by a book worker: refused, saying why, and the task runs on.
  const restart = await post<{ Message: string }>(`${manager.url}/tasks`, {
    Task: { ID: created.body.ID, Image: 'strm/helloworld-http', Name: created.body.Name },
  });
  assert.equal(restart.status, 409);
  assert.match(restart.body.Message, /speaks the book's protocol, which cannot run a task it has again/);
  await untilView(manager.url, (v) => v.tasks.some((x) => x.ID === created.body.ID && x.State === 2));
  assert.equal(book.posts.length, 1, 'one POST in all, reconciles and the restart included');
  assert.equal((await inspectContainer(running.ContainerID))?.State.Running, true);

  const stopped = await del(`${manager.url}/tasks/${created.body.ID}`);
  assert.equal(stopped.status, 204);
  assert.equal((await get<Task>(`${manager.url}/tasks/${created.body.ID}`)).body.State, 3);
  assert.equal(await inspectContainer(running.ContainerID), undefined);
});

test('a book worker that is not up yet: the manager says why it waits, and learns its protocol once it answers', { timeout: 60_000 }, async (t) => {
  const free = createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const port = (free.address() as AddressInfo).port;
  await new Promise((resolve) => free.close(resolve));
  const manager = await managerOf(t, [`127.0.0.1:${port}`]);
  const waiting = await untilView(manager.url, (v) => v.nodes[0]?.State === 'suspect');
  assert.match(waiting.nodes[0].Problem, new RegExp(`127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
  assert.equal(waiting.nodes[0].Protocol, 'unknown');
  const queued = (await post<Task>(`${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: `bw-${nanoid(8)}` } })).body;
  assert.equal(queued.State, 0);
  const book = await startBookWorker(t, { port });
  const view = await untilView(manager.url, (v) => v.nodes[0]?.State === 'up' && v.tasks[0]?.State === 2);
  assert.equal(view.nodes[0].Protocol, 'book');
  assert.equal(book.posts.length, 1);
});

const problems: Record<Garbage, RegExp> = {
  null: /GET \/tasks: \[0\]: expected a task object, got null|GET \/stats: null: the worker has no stats yet/,
  'wrong-types': /GET \/tasks: \[0\]\.State: expected a whole number ≥ 0, got "2"|GET \/stats: MemStats\.mem_total: expected a number ≥ 0, got "24 GB"/,
  truncated: /GET \/(tasks|stats): not JSON \(/,
  html: /GET \/(tasks|stats): not JSON \(.*\): "<!DOCTYPE html>/,
};

test('a book worker that answers garbage is suspect with the field named, keeps its task, and is up when it answers well', { timeout: 60_000 }, async (t) => {
  const book = await startBookWorker(t);
  const manager = await managerOf(t, [book.address]);
  await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
  const created = (await post<Task>(`${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: `bg-${nanoid(8)}` } })).body;
  await untilView(manager.url, (v) => v.tasks.some((x) => x.ID === created.ID && x.State === 2));

  for (const kind of Object.keys(problems) as Garbage[]) {
    book.garble(kind);
    const { nodes } = await untilView(manager.url, (v) => v.nodes[0]?.State === 'suspect');
    assert.match(nodes[0].Problem, problems[kind], kind);
    assert.equal((await get<Task>(`${manager.url}/tasks/${created.ID}`)).body.State, 2, `${kind}: the manager answers, the task is kept`);
    const refused = await post(`${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: `bq-${nanoid(8)}` } });
    assert.equal(refused.body.State, 0, `${kind}: a suspect worker takes no new task`);
    book.garble(null);
    await untilView(manager.url, (v) => v.nodes[0]?.State === 'up' && v.tasks.every((x) => x.State === 2));
  }
  assert.equal(book.posts.filter((p) => p.Task.ID === created.ID).length, 1);
  assert.equal(book.tasks().length, 5, 'the first task and one per garbage, each posted once when the worker was back');
});
