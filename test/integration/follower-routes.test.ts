// Every route of the manager API through a follower, on a real etcd (issue
// 23): the follower's answer has the leader's status and every Cube-* header
// the leader's has (a page's Cube-Continue above all: without it `cube
// status -m FOLLOWER` listed the first page and said nothing). The managers
// run in this process; the worker that joins them runs on MemoryRuntime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import type { RunningManager } from '../../src/manager/wiring/options.js';
import { MemoryRuntime } from '../../src/runtime/memory.js';
import { startWorker } from '../../src/worker/start.js';
import { ManagerClient } from '../../src/cli/manager-client.js';
import { etcdForFile, managersOn } from '../helpers/etcd.js';
import { request, type Reply } from '../helpers/http.js';
import { untilView } from '../helpers/watch.js';

const etcd = etcdForFile();

const hello = (id: string) => ({ Task: { ID: id, Name: `task-${id}`, Image: 'strm/helloworld-http' } });
const cubeHeadersOf = (reply: Reply) => [...reply.headers.keys()].filter((name) => name.startsWith('cube-')).sort();

/** The follower's answer once it knows the leader (the election tells it through etcd, which has no event for a test to wait on). */
async function following(follower: RunningManager, leader: RunningManager): Promise<void> {
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    if ((await request('GET', `${follower.url}/nodes`)).headers.get('cube-leader') === leader.url) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

test('every route answers through a follower as the leader answers it: the same status, every Cube-* header', { timeout: 60_000 }, async (t) => {
  const settings = managersOn(etcd());
  const leader = await startManager({ port: 0, settings, log: silentLog });
  t.after(() => leader.close());
  await new Promise<void>((resolve) => leader.onService(() => resolve()));
  const follower = await startManager({ port: 0, settings, log: silentLog });
  t.after(() => follower.close());
  await following(follower, leader);
  const name = `w-${nanoid(4)}`;
  const worker = await startWorker({
    port: 0,
    name,
    runtime: new MemoryRuntime(),
    log: silentLog,
    settings: { ...settings, store: 'memory', join: leader.url.replace('http://', '') },
  });
  t.after(() => worker.close());
  const workerAddress = worker.url.replace('http://', '');
  // Tasks to list, to page through, to stop: each case that changes something has one of its own on each manager.
  const ids = ['a', 'b', 'c', 'stop-l', 'stop-f', 'done'].map((id) => `${id}-${nanoid(4)}`);
  for (const id of ids) assert.equal((await request('POST', `${leader.url}/tasks`, hello(id))).status, 201);
  await untilView(leader.url, (v) => ids.every((id) => v.tasks.find((task) => task.ID === id)?.State === 2), 20_000);
  assert.equal((await request('DELETE', `${leader.url}/tasks/${ids[5]}`)).status, 204);
  const token = (await request('GET', `${leader.url}/tasks?limit=2`)).headers.get('cube-continue')!;
  assert.ok(token, 'the leader gives the next page');

  const cases: { what: string; method: string; path: string | ((via: 'leader' | 'follower') => string); body?: unknown; status: number }[] = [
    { what: 'the whole list (the follower reads it from etcd)', method: 'GET', path: '/tasks', status: 200 },
    { what: 'a first page', method: 'GET', path: '/tasks?limit=2', status: 200 },
    { what: 'the next page', method: 'GET', path: `/tasks?limit=2&continue=${encodeURIComponent(token)}`, status: 200 },
    { what: 'a filtered list', method: 'GET', path: '/tasks?state=running', status: 200 },
    { what: 'a limit that is not one', method: 'GET', path: '/tasks?limit=0', status: 400 },
    { what: 'a new task', method: 'POST', path: '/tasks', body: (via: string) => hello(`new-${via}-${nanoid(4)}`), status: 201 },
    { what: 'a task that is not one', method: 'POST', path: '/tasks', body: { Task: { Image: 5 } }, status: 400 },
    { what: 'a Completed task again', method: 'POST', path: '/tasks', body: hello(ids[5]!), status: 409 },
    { what: 'a task', method: 'GET', path: `/tasks/${ids[0]}`, status: 200 },
    { what: 'no task', method: 'GET', path: '/tasks/nope', status: 404 },
    { what: 'a stop', method: 'DELETE', path: (via) => `/tasks/${via === 'leader' ? ids[3] : ids[4]}`, status: 204 },
    { what: 'a stop of a Completed task', method: 'DELETE', path: `/tasks/${ids[5]}`, status: 409 },
    { what: 'a stop of no task', method: 'DELETE', path: '/tasks/nope', status: 404 },
    { what: "a task's logs", method: 'GET', path: `/tasks/${ids[0]}/logs`, status: 200 },
    { what: 'the logs of no task', method: 'GET', path: '/tasks/nope/logs', status: 404 },
    { what: 'the nodes', method: 'GET', path: '/nodes', status: 200 },
    { what: 'a join renewed', method: 'POST', path: '/nodes', body: { Name: name, Address: workerAddress }, status: 200 },
    { what: 'a join that is not one', method: 'POST', path: '/nodes', body: { Address: 'nowhere' }, status: 400 },
    { what: 'a drain', method: 'POST', path: `/nodes/${name}/drain`, status: 200 },
    { what: 'a drain ended', method: 'DELETE', path: `/nodes/${name}/drain`, status: 200 },
    { what: 'a drain of no worker', method: 'POST', path: '/nodes/nope/drain', status: 404 },
    { what: 'a worker up and not drained removed', method: 'DELETE', path: `/nodes/${name}`, status: 409 },
    { what: 'the log', method: 'GET', path: '/log?limit=5', status: 200 },
    { what: 'a sweep', method: 'POST', path: '/gc', status: 200 },
    { what: 'the live view', method: 'GET', path: '/ui', status: 200 },
    { what: 'no route', method: 'GET', path: '/nowhere', status: 404 },
    { what: 'a method no route takes', method: 'PUT', path: '/tasks', status: 404 },
  ];
  for (const c of cases) {
    const ask = (via: 'leader' | 'follower') => {
      const base = via === 'leader' ? leader.url : follower.url;
      const path = typeof c.path === 'function' ? c.path(via) : c.path;
      const body = typeof c.body === 'function' ? (c.body as (v: string) => unknown)(via) : c.body;
      return request(c.method, `${base}${path}`, body);
    };
    const [fromLeader, fromFollower] = [await ask('leader'), await ask('follower')];
    assert.equal(fromLeader.status, c.status, `${c.what}, from the leader: ${JSON.stringify(fromLeader.body)}`);
    assert.equal(fromFollower.status, c.status, `${c.what}, through the follower: ${JSON.stringify(fromFollower.body)}`);
    assert.deepEqual(cubeHeadersOf(fromFollower), cubeHeadersOf(fromLeader), `${c.what}: the Cube-* headers`);
    for (const header of ['cube-continue', 'cube-join-ttl', 'cube-pruned', 'cube-leader', 'allow', 'content-type'])
      assert.equal(fromFollower.headers.get(header), fromLeader.headers.get(header), `${c.what}: ${header}`);
  }
  // The event stream, passed on.
  for (const base of [leader.url, follower.url]) {
    const abort = new AbortController();
    const response = await fetch(`${base}/events`, { signal: abort.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/event-stream/);
    assert.equal(response.headers.get('cube-leader'), leader.url);
    abort.abort();
  }

  // What `cube status -m FOLLOWER` does: every page, to the end.
  const listed = await new ManagerClient({ url: follower.url, token: '' }).allTasks();
  const all = (await request<{ ID: string }[]>('GET', `${leader.url}/tasks`)).body.map((task) => task.ID);
  assert.deepEqual(
    listed.tasks.map((task) => task.ID),
    all,
  );
});
