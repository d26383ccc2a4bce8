// The bad days, with real processes and the real engine: a manager killed
// with -9 mid-flight, a worker killed with -9 and restarted, a worker that
// never comes back, one that was only cut off and comes back, and the Docker
// engine restarted under a worker. After each, nothing accepted is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { containersOf, docker } from '../helpers/docker.js';
import { env, hello, lab, running } from '../helpers/lab.js';
import { get, post } from '../helpers/http.js';
import { untilEvent, untilView } from '../helpers/watch.js';

test('a manager killed with -9 mid-flight comes back with every task it answered 201 for, and they all run', { timeout: 60_000 }, async (t) => {
  const cube = lab(t);
  const { name, address } = await cube.worker(`km-${nanoid(5)}`, env(cube.dir));
  const first = await cube.manager([address], env(cube.dir));
  await untilView(first.url, (v) => v.nodes[0]?.State === 'up');

  // 30 POSTs, 6 at a time; the manager dies while they are in flight.
  const accepted: string[] = [];
  let sent = 0;
  const client = async () => {
    while (sent < 30) {
      const i = sent++;
      if (i === 15) void first.stop('SIGKILL');
      try {
        const reply = await post<Task>(`${first.url}/tasks`, hello(`${name}-${i}`));
        if (reply.status === 201) accepted.push(reply.body.ID);
      } catch {
        // the manager is gone: this one was not accepted
      }
    }
  };
  await Promise.all([client(), client(), client(), client(), client(), client()]);
  assert.ok(accepted.length >= 10, `${accepted.length} accepted before the kill`);

  const port = new URL(first.url).port;
  const second = await cube.manager([address], env(cube.dir), port);
  const listed = (await get<Task[]>(`${second.url}/tasks`)).body.map((task) => task.ID);
  for (const id of accepted) assert.ok(listed.includes(id), `task ${id} answered 201 is still there`);
  const view = await untilView(second.url, running(accepted));
  const containers = await containersOf(name);
  const runningTasks = view.tasks.filter((task) => task.State === 2);
  assert.equal(containers.length, new Set(containers.map((c) => c.Labels['cube.task.id'])).size, 'one container per task, no duplicates');
  assert.ok(runningTasks.length >= accepted.length);
});

test('a worker killed with -9 keeps its containers running, and adopts them when it restarts', { timeout: 60_000 }, async (t) => {
  const cube = lab(t);
  const { process: worker, name, address } = await cube.worker(`kw-${nanoid(5)}`, env(cube.dir));
  const manager = await cube.manager([address], env(cube.dir, { CUBE_HEARTBEAT_TTL: '30s' }));
  await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await post<Task>(`${manager.url}/tasks`, hello(`${name}-${i}`))).body.ID);
  const before = await untilView(manager.url, running(ids));
  const containerIds = ids.map((id) => before.tasks.find((task) => task.ID === id)!.ContainerID).sort();

  await worker.stop('SIGKILL');
  const survivors = await containersOf(name);
  assert.deepEqual(
    survivors
      .filter((c) => c.State === 'running')
      .map((c) => c.Id)
      .sort(),
    containerIds,
    'containers outlive their worker',
  );

  const { process: again } = await cube.worker(name, env(cube.dir), address.split(':')[1]!);
  const restored = (await get<Task[]>(`${again.url}/tasks`)).body;
  assert.deepEqual(
    restored
      .filter((task) => task.State === 2)
      .map((task) => task.ContainerID)
      .sort(),
    containerIds,
    'adopted, not started again',
  );
  assert.equal((await containersOf(name)).length, 3, 'no duplicate containers');
  const after = await untilView(manager.url, (v) => v.nodes[0]?.State === 'up' && running(ids)(v));
  assert.deepEqual(ids.map((id) => after.tasks.find((task) => task.ID === id)!.ContainerID).sort(), containerIds);
});

test('a worker that never comes back: its tasks end up Running on another worker', { timeout: 60_000 }, async (t) => {
  const cube = lab(t);
  const lost = await cube.worker(`lost-${nanoid(5)}`, env(cube.dir));
  const kept = await cube.worker(`kept-${nanoid(5)}`, env(cube.dir));
  const names = [lost.name, kept.name];
  const addresses = [lost.address, kept.address];
  const manager = await cube.manager(addresses, env(cube.dir), '0', '--scheduler', 'roundrobin');
  await untilView(manager.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up'));
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await post<Task>(`${manager.url}/tasks`, hello(`${names[0]}-${i}`))).body.ID);
  await untilView(manager.url, running(ids));

  await lost.process.stop('SIGKILL');
  const view = await untilView(manager.url, (v) => running(ids)(v) && ids.every((id) => v.tasks.find((task) => task.ID === id)!.Worker === addresses[1]));
  assert.equal(view.nodes.find((n) => n.Name === addresses[0]).State, 'down');
  const moved = view.tasks.filter((task) => task.Events.some((e) => e.Type === 'Rescheduling' && /was lost \(no heartbeat/.test(e.Message)));
  assert.equal(moved.length, 2, 'the two tasks of the lost worker were placed again');
  assert.equal((await containersOf(names[1]!)).filter((c) => c.State === 'running').length, 4);
});

test('a worker cut off and back again: its tasks were placed elsewhere, and its copies are stopped when it answers', { timeout: 60_000 }, async (t) => {
  const cube = lab(t);
  const workers = [await cube.worker(`cut-${nanoid(5)}`, env(cube.dir)), await cube.worker(`cut-${nanoid(5)}`, env(cube.dir))];
  const addresses = workers.map((w) => w.address);
  const manager = await cube.manager(addresses, env(cube.dir), '0', '--scheduler', 'roundrobin');
  await untilView(manager.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up'));
  const id = (await post<Task>(`${manager.url}/tasks`, hello(`${workers[0]!.name}-x`))).body.ID;
  await untilView(manager.url, running([id]));
  const first = addresses.indexOf((await get<Task>(`${manager.url}/tasks/${id}`)).body.Worker);
  const [cut, cutName, otherAddress] = [workers[first]!.process, workers[first]!.name, addresses[1 - first]!];

  cut.child.kill('SIGSTOP'); // frozen: its connections stay open, it says nothing
  const moved = await untilView(manager.url, (v) => v.tasks.find((task) => task.ID === id)?.Worker === otherAddress && running([id])(v));
  // Both workers share this engine, so the new one took the name over from the frozen one's copy.
  assert.ok(moved.tasks.find((task) => task.ID === id)!.Events.some((e) => e.Message.includes(`took over from worker ${cutName}`)));

  cut.child.kill('SIGCONT');
  await untilView(manager.url, (v) => v.nodes.find((n) => n.Name === addresses[first])?.State === 'up');
  // The worker that came back still believes it runs the task: the manager stops that copy there.
  const log = await untilLog(manager.url, (entries) => entries.some((e) => e.Type === 'Stale Copy Stopped' && e.Task === id));
  assert.ok(log.length > 0);
  const onCut = await untilWorkerTask(cut.url, id, (task) => task.State === 3);
  assert.equal(onCut.State, 3, 'the copy on the worker that came back is stopped');
  assert.equal(await waitForNoRunning(cutName), 0);
  const final = (await get<Task>(`${manager.url}/tasks/${id}`)).body;
  assert.equal(final.Worker, otherAddress);
  assert.equal(final.State, 2);
});

/** The manager's log, followed until `done` holds for it. */
async function untilLog(url: string, done: (entries: any[]) => boolean): Promise<any[]> {
  const entries = (await get<any[]>(`${url}/log?limit=1000`)).body;
  if (done(entries)) return entries;
  await untilEvent(url, (type, data) => {
    if (type === 'log') entries.push(data.entry);
    return done(entries);
  });
  return entries;
}

/** Follows a worker until its record of a task satisfies `done`. */
async function untilWorkerTask(url: string, id: string, done: (task: Task) => boolean): Promise<Task> {
  let found: Task | undefined;
  await untilEvent(url, (type, data) => {
    const tasks: Task[] = type === 'worker.tasks' ? data.tasks : type === 'task.updated' ? [data.task] : [];
    found = tasks.find((task) => task.ID === id && done(task)) ?? found;
    return found !== undefined;
  });
  return found!;
}

/** Waits, on Docker's own events, until a worker has no running container. */
async function waitForNoRunning(worker: string): Promise<number> {
  const stream = await docker.getEvents({ filters: { type: ['container'], label: [`cube.worker=${worker}`], event: ['die', 'destroy'] } });
  try {
    for (;;) {
      const count = (await containersOf(worker)).filter((c) => c.State === 'running').length;
      if (count === 0) return 0;
      await new Promise((resolve) => stream.once('data', resolve));
    }
  } finally {
    (stream as unknown as { destroy(): void }).destroy();
  }
}
