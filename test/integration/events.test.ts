// GET /events of the manager, as the live view, `cube run` and `curl -N` read
// it: a snapshot first, then every change of a task in the order it happened,
// from the first byte on (nothing buffered), with keep-alive comments that
// readers skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { nanoid } from 'nanoid';
import { readEvents, type StreamEvent } from '../../src/http/sse-client.js';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import { MemoryRuntime } from '../../src/runtime/memory.js';
import type { Service } from '../../src/vocabulary/service.js';
import type { StateName, Task } from '../../src/vocabulary/task.js';
import { removeContainersOf } from '../helpers/docker.js';
import { del, get, post } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';
import { startWorker, type RunningWorker } from '../../src/worker/start.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const submit = (url: string, id: string, name: string) =>
  post<Task>(`${url}/tasks`, { ID: randomUUID(), State: 1, Task: { ID: id, Name: name, Image: 'strm/helloworld-http' } });

/** The next event of the stream; fails the test if the stream ends. */
async function next(events: AsyncGenerator<StreamEvent>): Promise<StreamEvent> {
  const { value, done } = await events.next();
  assert.ok(!done, 'the event stream ended');
  return value;
}

/** Every update of task `id` as [StateName, State, newest history Type], until it is completed; `onRunning` is called once when it runs. */
async function transitions(events: AsyncGenerator<StreamEvent>, id: string, onRunning: () => void) {
  const updates: [StateName, number, string][] = [];
  const first: Task[] = [];
  let ran = false;
  while (updates.at(-1)?.[0] !== 'completed') {
    const event = await next(events);
    if (event.type !== 'task.updated' || event.data.task.ID !== id) continue;
    assert.equal(event.data.type, 'task.updated');
    const task = event.data.task as Task;
    if (first.length === 0) first.push(task);
    updates.push([task.StateName, task.State, task.Events.at(-1)?.Type ?? '']);
    if (task.StateName === 'running' && !ran) {
      ran = true;
      onRunning();
    }
  }
  const states = updates.map(([state]) => state).filter((state, i, all) => state !== all[i - 1]);
  // Repeats removed (a stop request re-sends the running record, for one).
  const steps = updates.filter((u, i) => i === 0 || u.join() !== updates[i - 1]!.join());
  return { states, steps, first: first[0]! };
}

test('GET /events with a worker up: a snapshot, then scheduled, running, and after DELETE stopping, completed', { timeout: 60_000 }, async (t) => {
  const worker = `events-${nanoid(8).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const manager = await startManager({ port: 0, local: [{ port: null, name: worker }], settings: testSettings(), log: silentLog });
  const abort = new AbortController();
  t.after(async () => {
    abort.abort();
    await manager.close();
    await removeContainersOf(worker);
  });

  const response = await fetch(`${manager.url}/events`, { signal: abort.signal });
  assert.equal(response.status, 200);
  const events = readEvents(response.body!);
  const snapshot = await next(events);
  assert.equal(snapshot.type, 'snapshot');
  assert.deepEqual(snapshot.data.tasks, []);
  assert.deepEqual(
    snapshot.data.nodes.map((n: { Name: string }) => n.Name),
    [worker],
  );
  // Wait for the worker's first heartbeat, as it is reported.
  let up = snapshot.data.nodes[0].State === 'up';
  while (!up) {
    const event = await next(events);
    up = event.type === 'node.updated' && event.data.node.Name === worker && event.data.node.State === 'up';
  }

  const id = randomUUID();
  const created = await submit(manager.url, id, `${worker}-hello`);
  assert.equal(created.status, 201);
  assert.equal(created.body.StateName, 'scheduled', 'placed at once: a worker is up');
  let stop: Promise<{ status: number }> | undefined;
  const seen = await transitions(events, id, () => {
    stop = del(`${manager.url}/tasks/${id}`);
  });
  assert.equal((await stop!).status, 204);

  // Placed in the same step as received: no update says pending; the Received
  // entry comes in the first update's history. Stopping keeps State 2 until the
  // container is gone, then Completed.
  assert.deepEqual(seen.states, ['scheduled', 'running', 'stopping', 'completed']);
  assert.deepEqual(seen.steps, [
    ['scheduled', 1, 'Placed'],
    ['scheduled', 1, 'Scheduled'],
    ['running', 2, 'Started'],
    ['stopping', 2, 'Started'],
    ['completed', 3, 'Killed'],
  ]);
  assert.deepEqual(
    seen.first.Events.map((e) => e.Type),
    ['Received', 'Placed'],
  );
});

test(
  'GET /events with no worker up yet: pending (saying why), then scheduled and running once one is, then stopping, completed',
  { timeout: 60_000 },
  async (t) => {
    const port = await freePort();
    const manager = await startManager({ port: 0, workers: [`127.0.0.1:${port}`], settings: testSettings(), log: silentLog });
    const abort = new AbortController();
    let worker: RunningWorker | undefined;
    t.after(async () => {
      abort.abort();
      await manager.close();
      await worker?.close();
    });
    const response = await fetch(`${manager.url}/events`, { signal: abort.signal });
    const events = readEvents(response.body!);
    assert.equal((await next(events)).type, 'snapshot');

    const id = randomUUID();
    const created = await submit(manager.url, id, 'waits-for-a-worker');
    assert.equal(created.status, 201);
    assert.equal(created.body.StateName, 'pending');
    assert.match(created.body.Reason, new RegExp(`^no worker can take the task: 1 worker: 1 \\w[\\w ]* \\(127\\.0\\.0\\.1:${port}\\)$`));
    // The worker comes up only now (in memory: no containers).
    worker = await startWorker({ port, name: `events-late-${nanoid(6)}`, runtime: new MemoryRuntime(), settings: testSettings(), log: silentLog });
    let stop: Promise<{ status: number }> | undefined;
    const seen = await transitions(events, id, () => {
      stop = del(`${manager.url}/tasks/${id}`);
    });
    assert.equal((await stop!).status, 204);

    assert.deepEqual(seen.states, ['pending', 'scheduled', 'running', 'stopping', 'completed']);
    assert.deepEqual(seen.steps, [
      ['pending', 0, 'Not Placed'],
      ['scheduled', 1, 'Placed'],
      ['scheduled', 1, 'Scheduled'],
      ['running', 2, 'Started'],
      ['stopping', 2, 'Started'],
      ['completed', 3, 'Killed'],
    ]);
  },
);

test('GET /events works like curl -N: the first bytes come at once, and keep-alive comments do not disturb readers', { timeout: 60_000 }, async (t) => {
  const manager = await startManager({
    port: 0,
    local: [{ port: null, name: `events-${nanoid(6)}`, runtime: new MemoryRuntime() }],
    settings: testSettings(),
    log: silentLog,
  });
  const abort = new AbortController();
  t.after(async () => {
    abort.abort();
    await manager.close();
  });

  // A raw HTTP reader, as curl -N is: the bytes as they arrive, no buffering.
  const opened = Date.now();
  const raw = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(`${manager.url}/events`, { signal: abort.signal }, resolve);
    req.on('error', reject);
    req.end();
  });
  raw.on('error', () => undefined); // aborted at the end
  assert.equal(raw.statusCode, 200);
  assert.equal(raw.headers['content-type'], 'text/event-stream; charset=utf-8');
  assert.equal(raw.headers['cache-control'], 'no-cache');
  assert.equal(raw.headers['content-length'], undefined, 'streamed, not buffered');
  let text = '';
  let firstAfter = -1;
  const waiters: (() => void)[] = [];
  raw.on('data', (chunk: Buffer) => {
    if (firstAfter < 0) firstAfter = Date.now() - opened;
    text += chunk.toString();
    waiters.splice(0).forEach((wake) => wake());
  });
  /** Resolves once the raw text holds `needle`. */
  const rawHas = async (needle: string) => {
    while (!text.includes(needle)) await new Promise<void>((wake) => waiters.push(wake));
  };
  await rawHas('\n\n');
  assert.ok(firstAfter < 2000, `the first bytes took ${firstAfter} ms`);
  assert.match(text, /^: connected\n\n/);

  // The same stream through readEvents, with its raw text beside it.
  const response = await fetch(`${manager.url}/events`, { signal: abort.signal });
  const [forText, forEvents] = response.body!.tee();
  const events = readEvents(forEvents);
  const snapshot = await next(events);
  assert.equal(snapshot.type, 'snapshot');

  // The server writes ": keep-alive" every 10 s; wait for the real one on the fetch stream.
  const reader = forText.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  let seen = '';
  while (!seen.includes(': keep-alive\n\n')) {
    const { value, done } = await reader.read();
    assert.ok(!done, 'the stream ended before a keep-alive');
    seen += value;
  }
  void reader.cancel();

  const id = randomUUID();
  assert.equal((await submit(manager.url, id, 'after-keep-alive')).status, 201);
  let event: StreamEvent;
  do event = await next(events);
  while (!(event.type === 'task.updated' && event.data.task.ID === id && event.data.task.StateName === 'running'));
  assert.equal(event.data.task.Name, 'after-keep-alive');

  // The raw reader got the same: comments, then blocks of "event:" and "data:" lines.
  await rawHas('"StateName":"running"');
  await rawHas('\n\n: keep-alive\n\n');
  assert.match(text, /^: connected\n\nid: \d+\nevent: snapshot\ndata: \{.*\}\n\n/);
  const blocks = text.slice(0, text.lastIndexOf('\n\n')).split('\n\n');
  for (const block of blocks) assert.match(block, /^(: (connected|keep-alive)|(id: \d+\n)?event: [a-z.]+\ndata: \{.*\})$/);
  assert.ok(blocks.some((b) => /^id: \d+\nevent: task.updated\n/.test(b) && b.includes(`"ID":"${id}"`) && b.includes('"StateName":"running"')));
});

test(
  'GET /events?since=N after a break: `resumed` carries the services as they are now, since their changes have no version to resume after',
  { timeout: 30_000 },
  async (t) => {
    const manager = await startManager({
      port: 0,
      local: [{ port: null, name: `events-${nanoid(6)}`, runtime: new MemoryRuntime() }],
      settings: testSettings(),
      log: silentLog,
    });
    t.after(() => manager.close());
    const service = (name: string) => ({ Name: name, Count: 1, Task: { Image: 'strm/helloworld-http' }, ShutdownDelay: '0s' });
    assert.equal((await post(`${manager.url}/services`, service('gone'))).status, 201);

    const first = new AbortController();
    const snapshot = await next(readEvents((await fetch(`${manager.url}/events`, { signal: first.signal })).body!));
    first.abort();
    assert.deepEqual(
      snapshot.data.services.map((s: Service) => s.Name),
      ['gone'],
    );

    // While the reader is away: one service is deleted, another created.
    assert.equal((await del(`${manager.url}/services/gone`)).status, 204);
    assert.equal((await post(`${manager.url}/services`, service('web'))).status, 201);

    const again = new AbortController();
    t.after(() => again.abort());
    const response = await fetch(`${manager.url}/events?since=${snapshot.data.version}`, { signal: again.signal });
    assert.equal(response.status, 200);
    const resumed = await next(readEvents(response.body!));
    assert.equal(resumed.type, 'resumed');
    const services: Service[] = resumed.data.services;
    assert.deepEqual(
      services.map((s) => s.Name),
      ['web'],
      'the deleted service is gone, the new one is there',
    );
    assert.deepEqual(services[0], (await get<Service>(`${manager.url}/services/web`)).body);
  },
);
