// GET /tasks pages and filters, POST /gc prunes, and a manager restarted on
// its data dir reads Completed tasks from its store (issue 13). Real HTTP on
// loopback and real SQLite files; the worker runs in the manager's process on
// the FAKE runtime (simulated containers: nothing runs), so hundreds of tasks
// are cheap.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { startManager } from '../../src/manager/start.js';
import type { RunningManager } from '../../src/manager/wiring/options.js';
import type { Settings } from '../../src/config/settings.js';
import { silentLog } from '../../src/log.js';
import type { Task } from '../../src/vocabulary/task.js';
import { del, get, post, request } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';
import { untilView } from '../helpers/watch.js';

async function fakeCluster(t: TestContext, settings: Partial<Settings> = {}, dataDir = mkdtempSync(join(tmpdir(), 'cube-paging-'))) {
  const worker = `fake-${nanoid(5)}`;
  const start = () =>
    startManager({
      port: 0,
      local: [{ port: 0, name: worker }],
      settings: testSettings({ runtime: 'fake', store: 'sqlite', dataDir, ...settings }),
      log: silentLog,
    });
  const manager: { current: RunningManager } = { current: await start() };
  t.after(async () => {
    await manager.current.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const restart = async () => {
    await manager.current.close();
    manager.current = await start();
    return manager.current;
  };
  return { manager: manager.current, worker, restart };
}

/** Submits tasks one after another (their order is the listing's), each running before the next is sent. */
async function submit(url: string, names: string[], fields: object = {}): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const created = await post<Task>(`${url}/tasks`, { Task: { Name: name, Image: 'img', ...fields } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    ids.push(created.body.ID);
  }
  return ids;
}

/** Every page of GET /tasks with `query`, followed through Cube-Continue. */
async function pages(url: string, query: string): Promise<{ pages: Task[][]; pruned: string | null }> {
  const all: Task[][] = [];
  let token = '';
  let pruned: string | null = null;
  for (;;) {
    const answer = await get<Task[]>(`${url}/tasks?${query}${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    all.push(answer.body);
    pruned = answer.headers.get('cube-pruned');
    token = answer.headers.get('cube-continue') ?? '';
    if (!token) return { pages: all, pruned };
  }
}

test(
  'GET /tasks pages in the order tasks came, each task once, while tasks come and go; without limit the whole list comes',
  { timeout: 60_000 },
  async (t) => {
    const { manager } = await fakeCluster(t);
    const ids = await submit(
      manager.url,
      Array.from({ length: 60 }, (_, i) => `page-${i}`),
    );
    await untilView(manager.url, (v) => ids.every((id) => v.tasks.find((x) => x.ID === id)?.State === 2));
    for (const id of ids.slice(0, 20)) assert.equal((await del(`${manager.url}/tasks/${id}`)).status, 204);

    // Pages of 7, with new tasks arriving between pages: everything that was there is seen once, in order.
    let added = 0;
    const seen: string[] = [];
    let token = '';
    for (;;) {
      const answer = await get<Task[]>(`${manager.url}/tasks?limit=7${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      seen.push(...answer.body.map((x) => x.ID));
      if (added < 3) added += (await submit(manager.url, [`late-${added}`])).length;
      token = answer.headers.get('cube-continue') ?? '';
      if (!token) break;
    }
    assert.deepEqual(seen.slice(0, 60), ids, 'in the order they came, Completed ones (read from the store) included');
    assert.equal(new Set(seen).size, seen.length, 'no task twice');
    assert.equal(seen.length, 63, 'tasks that came while paging are at the end');

    const whole = await get<Task[]>(`${manager.url}/tasks`);
    assert.equal(whole.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(
      whole.body.map((x) => x.ID),
      seen,
      'the whole list, streamed, is the pages one after another',
    );
    assert.equal(whole.body.find((x) => x.ID === ids[0])!.State, 3);
    assert.equal(whole.headers.get('cube-pruned'), '0');
  },
);

test('GET /tasks filters by state and worker, and says what is wrong with a query', { timeout: 60_000 }, async (t) => {
  const { manager, worker } = await fakeCluster(t, { restartLimit: 0 });
  const ids = await submit(manager.url, ['f-run-1', 'f-run-2', 'f-stop']);
  const failed = await submit(manager.url, ['f-exit'], { Cmd: ['exit', '3'] }); // no restarts allowed: Failed for good
  await untilView(
    manager.url,
    (v) => ids.every((id) => v.tasks.find((x) => x.ID === id)?.State === 2) && v.tasks.find((x) => x.ID === failed[0])?.StateName === 'failed',
  );
  await del(`${manager.url}/tasks/${ids[2]}`);

  const names = async (query: string) => (await pages(manager.url, query)).pages.flat().map((x) => x.Name);
  assert.deepEqual(await names('state=running&limit=1'), ['f-run-1', 'f-run-2']);
  assert.deepEqual(await names('state=completed,failed'), ['f-stop', 'f-exit']);
  assert.deepEqual(await names(`state=Running&worker=${worker}`), ['f-run-1', 'f-run-2'], 'state names are read in any case');
  assert.deepEqual(await names('worker=nobody'), []);

  for (const [query, message] of [
    ['limit=0', /limit: expected a whole number 1…10000/],
    ['limit=ten', /limit: expected a whole number/],
    ['state=sleeping', /state: "sleeping" is not a state; expected one or more of pending, scheduled, running/],
    ['worker=', /worker: expected one or more worker names/],
    ['limit=5&continue=not-a-token', /continue: "not-a-token" is not a token from GET \/tasks/],
  ] as const) {
    const answer = await get<{ HTTPStatusCode: number; Message: string }>(`${manager.url}/tasks?${query}`);
    assert.equal(answer.status, 400, query);
    assert.match(answer.body.Message, message);
  }
});

test('POST /gc prunes finished tasks past the retention count from the manager and its worker; a pruned ID is free again', { timeout: 60_000 }, async (t) => {
  const { manager } = await fakeCluster(t, { retentionMax: 2, retentionMs: 3_600_000 });
  const ids = await submit(manager.url, ['gc-1', 'gc-2', 'gc-3', 'gc-live']);
  await untilView(manager.url, (v) => ids.every((id) => v.tasks.find((x) => x.ID === id)?.State === 2));
  for (const id of ids.slice(0, 3)) await del(`${manager.url}/tasks/${id}`);

  const swept = await request<{ Pruned: number; Kept: number; PrunedTotal: number }>('POST', `${manager.url}/gc`);
  assert.equal(swept.status, 200);
  assert.deepEqual(swept.body, { Pruned: 1, Kept: 2, PrunedTotal: 1 });
  assert.equal((await get(`${manager.url}/tasks/${ids[0]}`)).status, 404);
  assert.match((await get<{ Message: string }>(`${manager.url}/tasks/${ids[0]}`)).body.Message, /finished ones are kept for CUBE_RETENTION, then pruned/);
  assert.equal((await get(`${manager.url}/tasks/${ids[1]}`)).status, 200);
  const listed = await get<Task[]>(`${manager.url}/tasks`);
  assert.deepEqual(
    listed.body.map((x) => x.Name),
    ['gc-2', 'gc-3', 'gc-live'],
  );
  assert.equal(listed.headers.get('cube-pruned'), '1');
  const worker = manager.local[0]!;
  assert.equal((await get(`${worker.url}/tasks/${ids[0]}`)).status, 404, 'the worker forgot it too');
  assert.equal((await get(`${worker.url}/tasks/${ids[1]}`)).status, 200);

  const again = await post<Task>(`${manager.url}/tasks`, { Task: { ID: ids[0], Name: 'gc-1', Image: 'img' } });
  assert.equal(again.status, 201, 'a pruned ID can be used again');
  await untilView(manager.url, (v) => v.tasks.find((x) => x.ID === ids[0])?.State === 2);
  assert.equal(
    (await post(`${manager.url}/tasks`, { Task: { ID: ids[1], Name: 'gc-2', Image: 'img' } })).status,
    409,
    'one still kept is Completed, which is final',
  );
});

test(
  'a manager restarted on its data dir reads Completed tasks from its store: same answers, same order, the same continue tokens',
  { timeout: 60_000 },
  async (t) => {
    const { manager, restart } = await fakeCluster(t);
    const ids = await submit(manager.url, ['r-1', 'r-2', 'r-3', 'r-4']);
    await untilView(manager.url, (v) => ids.every((id) => v.tasks.find((x) => x.ID === id)?.State === 2));
    await del(`${manager.url}/tasks/${ids[0]}`);
    await del(`${manager.url}/tasks/${ids[2]}`);
    const before = await get<Task>(`${manager.url}/tasks/${ids[0]}`);
    const first = await get<Task[]>(`${manager.url}/tasks?limit=2`);
    const token = first.headers.get('cube-continue')!;

    const again = await restart();
    assert.deepEqual((await get<Task>(`${again.url}/tasks/${ids[0]}`)).body, before.body, 'read back from the store as it was');
    assert.equal(again.service.ledger().tasks.has(ids[0]!), false, 'kept out of memory');
    const rest = await get<Task[]>(`${again.url}/tasks?limit=10&continue=${encodeURIComponent(token)}`);
    assert.deepEqual(
      rest.body.map((x) => x.Name),
      ['r-3', 'r-4'],
      'a token from before the restart goes on where it was',
    );
    assert.equal((await post(`${again.url}/tasks`, { Task: { ID: ids[0], Name: 'r-1', Image: 'img' } })).status, 409);
    assert.equal((await del(`${again.url}/tasks/${ids[2]}`)).status, 409);
  },
);
