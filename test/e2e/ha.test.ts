// Several managers on etcd, workers that join (issue "When one manager is not
// enough"), with real processes: a three-member etcd cluster on loopback
// ports, three `cube manager`s, two `cube worker --join`s, real Docker. The
// leader is killed with -9 during a burst of POSTs and DELETEs; then one etcd
// member stops, then another; then the members come back; then a worker is
// drained and forgotten with the cube command. Every POST answered 2xx runs
// exactly once (one container start per task on the whole engine), every
// DELETE answered 2xx holds, and while etcd has no quorum writes are refused
// with a 503 that says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { cubeBin, spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { docker, removeContainersOf, runningCopiesOf, untilEngine } from '../helpers/docker.js';
import { managerEnvOn, startEtcd, type EtcdCluster } from '../helpers/etcd.js';
import { request, type Reply } from '../helpers/http.js';
import { readEvents } from '../../src/http/sse-client.js';

const run = `ha${nanoid(5)
  .toLowerCase()
  .replace(/[^a-z0-9]/g, 'x')}`;
const workerNames = [`${run}-w1`, `${run}-w2`];
let etcd: EtcdCluster;
const managers: CubeProcess[] = [];
const workers: CubeProcess[] = [];
let settings: Record<string, string>;

/** Every container start on the engine, per task of this test: a task that ran twice has two. */
const starts = new Map<string, Set<string>>();
let events: (NodeJS.ReadableStream & { destroy(): void }) | undefined;

const alive = () => managers.filter((m) => m.child.exitCode === null && m.child.signalCode === null);

before(
  async () => {
    etcd = await startEtcd(3);
    settings = managerEnvOn(etcd, {
      CUBE_ETCD_TIMEOUT: '1s',
      CUBE_HEARTBEAT_TTL: '4s',
      CUBE_RECONCILE_INTERVAL: '2s',
      CUBE_STOP_TIMEOUT: '1s',
      CUBE_RESTART_DELAY: '200ms',
    });
    events = (await docker.getEvents({ filters: { type: ['container'], event: ['start'], label: ['cube.task.id'] } })) as NodeJS.ReadableStream & {
      destroy(): void;
    };
    let rest = '';
    events.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line) as { id: string; Actor: { Attributes: Record<string, string> } };
        const task = event.Actor.Attributes['cube.task.id'] ?? '';
        if (!task.startsWith(run)) continue;
        starts.set(task, (starts.get(task) ?? new Set()).add(event.id));
      }
    });
    for (let i = 0; i < 3; i++) managers.push(await spawnCube(['manager', '--port', '0'], settings));
    const join = managers.map((m) => m.url.replace('http://', '')).join(',');
    // Workers keep their records in their own SQLite files; only managers share etcd.
    for (const name of workerNames)
      workers.push(await spawnCube(['worker', '--port', '0', '--name', name, '--join', join], { ...settings, CUBE_STORE: 'sqlite' }));
  },
  { timeout: 60_000 },
);

after(
  async () => {
    events?.destroy();
    await Promise.all([...managers, ...workers].map((p) => p.stop('SIGKILL')));
    for (const name of workerNames) await removeContainersOf(name);
    await etcd?.stop();
  },
  { timeout: 60_000 },
);

/**
 * What a client does: it asks the managers in turn until one answers
 * something other than "ask again" (503 or no answer); `retried` says whether
 * an earlier try may have been carried out.
 */
async function ask(
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
  again: () => boolean | Promise<boolean> = () => true,
): Promise<Reply & { via: string; retried: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let last: (Reply & { via: string; retried: boolean }) | undefined;
  for (let i = 0; ; i++) {
    const manager = alive()[i % alive().length]!;
    if (i > 0 && !(await again())) return { status: 200, body: undefined, headers: new Headers(), via: 'found', retried: true };
    try {
      const reply = await request(method, `${manager.url}${path}`, body);
      last = { ...reply, via: manager.url, retried: i > 0 };
      if (reply.status !== 503) return last;
      if (process.env['HA_DEBUG']) console.log(method, path, manager.url, reply.status, JSON.stringify(reply.body));
    } catch (error) {
      if (process.env['HA_DEBUG']) console.log(method, path, manager.url, String(error));
      // no answer: the next manager
    }
    if (Date.now() > deadline) {
      if (last) return last;
      throw new Error(`no manager answered ${method} ${path} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100 * Math.min(i + 1, 5)));
  }
}

/**
 * Resolves once `check` holds, asking again at every event of the cluster: it
 * follows GET /events of a manager (a follower passes it on to the leader),
 * and when that stream ends (the leader changed) it follows the next one.
 */
async function untilCluster(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const overall = AbortSignal.timeout(timeoutMs);
  for (let i = 0; ; i++) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    const manager = alive()[i % alive().length]!;
    try {
      const response = await fetch(`${manager.url}/events`, { signal: overall });
      if (response.ok && response.body) {
        for await (const _ of readEvents(response.body)) if (await check().catch(() => false)) return;
      }
    } catch {
      // the stream ended or never opened: the next manager
    }
    if (overall.aborted) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 200)); // an election may be under way
  }
}

/** Resolves with the tasks once `check` holds for them. */
async function untilTasks(check: (tasks: Task[]) => boolean, timeoutMs = 60_000, what = 'the tasks to settle'): Promise<Task[]> {
  let tasks: Task[] = [];
  await untilCluster(
    async () => {
      const reply = await ask('GET', '/tasks', undefined, 5000);
      if (reply.status !== 200) return false;
      tasks = reply.body as Task[];
      return check(tasks);
    },
    timeoutMs,
    what,
  );
  return tasks;
}

/** A POST as a careful client sends it: before sending it again after an answer that did not say, it looks whether the task is there (a POST of a placed task restarts it). */
async function submit(id: string, timeoutMs = 30_000) {
  const absent = async () => (await ask('GET', `/tasks/${id}`, undefined, 10_000)).status !== 200;
  const reply = await ask('POST', '/tasks', hello(id), timeoutMs, absent);
  return reply.via === 'found' ? { ...reply, status: 201 } : reply;
}

const leaderUrl = async () => (await ask('GET', '/nodes')).headers.get('cube-leader') ?? '';
const hello = (id: string) => ({ Task: { ID: id, Name: id, Image: 'strm/helloworld-http' } });

/** Tasks a POST was answered 2xx for (or found there after an answer that did not say), and those a DELETE was answered 2xx for. */
const posted = new Set<string>();
const deleted = new Set<string>();

test('workers join through any manager and take tasks; every manager lists the managers, with one leader', { timeout: 60_000 }, async () => {
  let nodes: any[] = [];
  await untilCluster(
    async () => {
      nodes = (await ask('GET', '/nodes')).body as any[];
      return workerNames.every((name) => nodes.some((n) => n.Name === name && n.State === 'up'));
    },
    30_000,
    'both workers up',
  );
  const roles = nodes
    .filter((n) => n.Role === 'manager')
    .map((n) => n.State)
    .sort();
  assert.deepEqual(roles, ['follower', 'follower', 'leader']);
  assert.ok(nodes.filter((n) => n.Role === 'worker').every((n) => n.Joined === true));
  for (const manager of managers) {
    const reply = await request('GET', `${manager.url}/nodes`);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('cube-leader'), await leaderUrl(), 'every manager names the same leader');
  }
});

test(
  'kill -9 of the leader during a burst of POSTs and DELETEs: every POST answered 2xx runs exactly once, every DELETE answered 2xx holds',
  { timeout: 60_000 },
  async () => {
    const before = await leaderUrl();
    const victim = managers.find((m) => m.url === before)!;
    assert.ok(victim, `the leader ${before} is one of ours`);

    const ids = Array.from({ length: 18 }, (_, i) => `${run}-t${i}`);
    let killed = false;
    const one = async (id: string, i: number) => {
      const reply = await submit(id);
      if (reply.status === 201 || reply.status === 202) posted.add(id);
      else assert.fail(`POST ${id} answered ${reply.status} by ${reply.via}: ${JSON.stringify(reply.body)}`);
      if (i === 5 && !killed) {
        killed = true;
        await victim.stop('SIGKILL');
      }
      if (i % 3 === 0) {
        const stop = await ask('DELETE', `/tasks/${id}`);
        // A DELETE sent again after an answer that did not say (the leader died with it) finds it done.
        const done = stop.status === 409 && stop.retried && /is completed, which is final/.test(JSON.stringify(stop.body));
        if (stop.status === 204 || stop.status === 202 || done) deleted.add(id);
        else assert.fail(`DELETE ${id} answered ${stop.status} by ${stop.via}: ${JSON.stringify(stop.body)}`);
      }
    };
    // Four clients at a time, as a burst.
    const queue = ids.map((id, i) => () => one(id, i));
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await next();
      }),
    );
    assert.ok(killed, 'the leader was killed mid-burst');
    assert.notEqual(await leaderUrl(), before, 'another manager leads');

    const live = [...posted].filter((id) => !deleted.has(id));
    await untilEngine(
      async () => {
        const copies = await Promise.all([...posted].map(runningCopiesOf));
        return [...posted].every((id, i) => copies[i]!.length === (deleted.has(id) ? 0 : 1));
      },
      90_000,
      'one running container per live task, none for a stopped one',
    );
    const tasks = await untilTasks(
      (all) => [...posted].every((id) => all.find((t) => t.ID === id)?.State === (deleted.has(id) ? 3 : 2)),
      60_000,
      'Running and Completed as asked',
    );
    assert.equal(tasks.filter((t) => t.ID.startsWith(run)).length, ids.length, 'no task lost, none made up');
    for (const id of live) assert.equal(starts.get(id)?.size, 1, `task ${id} started exactly once (${starts.get(id)?.size ?? 0} starts)`);
    for (const id of deleted) assert.ok((starts.get(id)?.size ?? 0) <= 1, `stopped task ${id} started at most once`);
  },
);

test(
  'one etcd member stops: everything goes on; a second stops: writes are refused with a 503 that says why, and nothing runs twice; with the members back, writes are taken again',
  { timeout: 90_000 },
  async () => {
    const [first, second] = [etcd.members[0]!, etcd.members[1]!];
    await first.stop();
    const id = `${run}-quorum2`;
    const reply = await submit(id);
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    posted.add(id);
    await untilTasks((all) => all.find((t) => t.ID === id)?.State === 2, 60_000, `${id} running with two members of three`);

    await second.stop();
    const refusedId = `${run}-noquorum`;
    const refused = await ask('POST', '/tasks', hello(refusedId), 15_000);
    assert.equal(refused.status, 503, `no quorum: refused (${JSON.stringify(refused.body)})`);
    assert.match((refused.body as { Message: string }).Message, /etcd|no manager leads/);
    // Every manager refuses a write, in words.
    for (const manager of alive()) {
      const direct = await request('DELETE', `${manager.url}/tasks/${id}`);
      assert.equal(direct.status, 503, `${manager.url} refuses a DELETE without a quorum: ${JSON.stringify(direct.body)}`);
    }
    // The workers go on: what ran, runs.
    const copies = await Promise.all([...posted].map(runningCopiesOf));
    assert.ok(
      [...posted].every((t, i) => copies[i]!.length === (deleted.has(t) ? 0 : 1)),
      'containers are untouched while etcd has no quorum',
    );

    await Promise.all([first.start(false), second.start(false)]);
    await Promise.all(etcd.members.map((m) => m.healthy()));
    const again = await submit(`${run}-back`, 60_000);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    posted.add(`${run}-back`);
    const live = [...posted].filter((t) => !deleted.has(t));
    await untilTasks(
      (all) => live.every((t) => all.find((x) => x.ID === t)?.State === 2) && [...deleted].every((t) => all.find((x) => x.ID === t)?.State === 3),
      60_000,
      'every task as asked after the quorum is back',
    );
    await untilEngine(async () => (await Promise.all(live.map(runningCopiesOf))).every((c) => c.length === 1), 60_000, 'one running container per live task');
    for (const t of live) assert.equal(starts.get(t)?.size, 1, `task ${t} started exactly once (${starts.get(t)?.size ?? 0} starts)`);
  },
);

test('a worker is drained with one command (its tasks move, it takes no new ones) and forgotten with another', { timeout: 60_000 }, async () => {
  const [w1, w2] = workerNames as [string, string];
  const manager = alive()[0]!.url.replace('http://', '');
  const cube = (...args: string[]) => promisify(execFile)(process.execPath, [cubeBin, ...args, '-m', manager]);
  const refusedRm = await cube('node', 'rm', w1).then(
    () => '',
    (error: { stderr: string }) => error.stderr,
  );
  assert.match(refusedRm, /worker .* is up and not drained; drain it first \(cube node drain/);

  const drained = await cube('node', 'drain', w1);
  assert.match(drained.stdout, new RegExp(`worker ${w1} is draining`));
  const live = [...posted].filter((t) => !deleted.has(t));
  await untilTasks(
    (all) =>
      live.every((t) => {
        const task = all.find((x) => x.ID === t);
        return task?.State === 2 && task.Worker === w2;
      }),
    90_000,
    `every task moved to ${w2}`,
  );
  await untilEngine(
    async () => (await Promise.all(live.map(runningCopiesOf))).every((c) => c.length === 1),
    60_000,
    'the copies on the drained worker stopped',
  );
  const fresh = await submit(`${run}-after-drain`);
  assert.equal(fresh.status, 201);
  assert.equal((fresh.body as Task).Worker, w2, 'nothing new on a drained worker');

  const nodes = (await cube('node')).stdout;
  assert.match(nodes, /MANAGER\s+ADDRESS\s+ROLE/);
  assert.match(nodes, /leader/);
  assert.match(nodes, new RegExp(`${w1}\\s.*up, draining`));
  await cube('node', 'rm', w1);
  const after = (await ask('GET', '/nodes')).body as { Name: string }[];
  assert.ok(!after.some((n) => n.Name === w1), `${w1} is forgotten`);
});
