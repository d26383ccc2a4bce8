// The manager's GET /events under backpressure, on a real HTTP server on
// loopback (the runtime is MemoryRuntime: no containers, only events): a
// reader that stops reading is dropped with a last event naming the last
// event id it was sent, and resumes from it with ?since= without a gap; a
// reader that keeps up is never dropped, however fast events come; and a
// snapshot encoded piece by piece is the same JSON as the records.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { readEvents } from '../../src/http/sse-client.js';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import { MemoryRuntime } from '../../src/runtime/memory.js';
import type { Settings } from '../../src/config/settings.js';
import type { Task } from '../../src/vocabulary/task.js';
import { eventsOf, stalledReaders, untilClosed } from '../helpers/slow-clients.js';
import { testSettings } from '../helpers/worker.js';

async function manager(t: TestContext, settings: Partial<Settings> = {}) {
  const running = await startManager({
    port: 0,
    local: [{ port: null, name: `bp-${nanoid(6)}`, runtime: new MemoryRuntime() }],
    settings: testSettings(settings),
    log: silentLog,
  });
  t.after(() => running.close());
  return running;
}

/** A task whose events are large: an Env of about `kib` KiB. */
const bulky = (id: string, kib: number) => ({
  Task: { ID: id, Image: 'strm/helloworld-http', Env: Array.from({ length: kib }, (_, i) => `P${i}=${'x'.repeat(1000)}`) },
});

async function submit(url: string, body: unknown): Promise<Task> {
  const response = await fetch(`${url}/tasks`, { method: 'POST', body: JSON.stringify(body) });
  assert.ok(response.status === 201 || response.status === 202, `POST answered ${response.status}`);
  return (await response.json()) as Task;
}

test(
  'a reader that stops reading is dropped with the last event id it was sent, and resumes from it with ?since= without a gap',
  { timeout: 60_000 },
  async (t) => {
    const { url } = await manager(t, { streamBuffer: 32 * 1024 });
    const [reader] = await stalledReaders(url, 1);
    const submitted: Task[] = [];
    for (let i = 0; i < 120; i++) submitted.push(await submit(url, bulky(`bp-${i}`, 48)));

    const chunks: Buffer[] = [];
    reader!.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    reader!.socket.resume();
    await untilClosed([reader!], 10_000);
    const events = eventsOf(Buffer.concat(chunks).toString('utf8'));
    const [, type, last] = events.at(-1)!;
    assert.equal(type, 'stream.dropped');
    const ids = events.map(([id]) => id).filter((id): id is number => id !== undefined);
    assert.equal(last.lastEventId, ids.at(-1), 'the last id it was sent');
    assert.match(last.reason, new RegExp(`reconnect with GET /events\\?since=${last.lastEventId} to get every event after the last one you were sent$`));
    const seenTasks = new Set(events.filter(([, t]) => t === 'task.updated').map(([, , d]) => d.task.ID));
    assert.ok(seenTasks.size < submitted.length, 'it was dropped before every task reached it');

    // Resuming: every task it had not seen arrives, none is missing.
    const abort = new AbortController();
    t.after(() => abort.abort());
    const resumed = await fetch(`${url}/events?since=${last.lastEventId}`, { signal: abort.signal });
    assert.equal(resumed.status, 200);
    const missing = new Set(submitted.map((task) => task.ID).filter((id) => !seenTasks.has(id)));
    for await (const { type: kind, data } of readEvents(resumed.body!)) {
      if (kind === 'task.updated') missing.delete(data.task.ID);
      if (missing.size === 0) break;
    }
    assert.equal(missing.size, 0);
  },
);

test('a reader that keeps up is not dropped, however fast the events come', { timeout: 60_000 }, async (t) => {
  const { url } = await manager(t, { streamBuffer: 64 * 1024 });
  const abort = new AbortController();
  t.after(() => abort.abort());
  const response = await fetch(`${url}/events`, { signal: abort.signal });
  const ids = Array.from({ length: 400 }, (_, i) => `fast-${i}`);
  const seen = new Set<string>();
  const reading = (async () => {
    for await (const { type, data } of readEvents(response.body!)) {
      assert.notEqual(type, 'stream.dropped', JSON.stringify(data));
      if (type === 'task.updated') seen.add(data.task.ID);
      if (seen.size === ids.length) return;
    }
  })();
  // 16 requests in flight, each task's events about 8 KiB: several times the buffer per second.
  for (let i = 0; i < ids.length; i += 16) await Promise.all(ids.slice(i, i + 16).map((id) => submit(url, bulky(id, 8))));
  await reading;
  assert.equal(seen.size, ids.length);
});

test('the snapshot, sent an element at a time, is the JSON of the records', { timeout: 60_000 }, async (t) => {
  const { url } = await manager(t);
  for (let i = 0; i < 30; i++) await submit(url, bulky(`snap-${i}`, 2));
  const tasks = await (await fetch(`${url}/tasks`)).json();
  const abort = new AbortController();
  t.after(() => abort.abort());
  const response = await fetch(`${url}/events`, { signal: abort.signal });
  const { value } = await readEvents(response.body!).next();
  assert.equal(value!.type, 'snapshot');
  assert.deepEqual(value!.data.tasks, tasks);
  assert.equal(typeof value!.data.version, 'number');
  assert.equal(value!.id, value!.data.version);
});
