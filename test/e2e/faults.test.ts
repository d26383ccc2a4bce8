// The bad days, with real processes and the real engine: a manager killed
// with -9 mid-flight, a worker killed with -9 and restarted, a worker that
// never comes back, one that was only cut off and comes back, and the Docker
// engine restarted under a worker. After each, nothing accepted is lost.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/task/types.js';
import { spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { containersOf, removeContainersOf } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';
import { untilView } from '../helpers/watch.js';

const env = (dataDir: string, extra: Record<string, string> = {}) => ({
  CUBE_DATA_DIR: dataDir,
  CUBE_STORE: 'sqlite',
  CUBE_HEARTBEAT_TTL: '1500ms',
  CUBE_RESTART_DELAY: '200ms',
  CUBE_RESTART_LIMIT: '10',
  CUBE_RECONCILE_INTERVAL: '1s',
  ...extra,
});

/** Processes and worker names to clean up when the test ends. */
function cleanup(t: TestContext) {
  const processes: CubeProcess[] = [];
  const workers: string[] = [];
  t.after(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    for (const name of workers) await removeContainersOf(name);
  });
  return { processes, workers };
}

const hello = (name: string) => ({ Task: { Image: 'strm/helloworld-http', Name: name } });
const running = (ids: string[]) => (v: { tasks: Task[] }) => ids.every((id) => v.tasks.find((t) => t.ID === id)?.State === 2);

test('a manager killed with -9 mid-flight comes back with every task it answered 201 for, and they all run', async (t) => {
  const { processes, workers } = cleanup(t);
  const dir = mkdtempSync(join(tmpdir(), 'cube-kill-manager-'));
  const name = `km-${nanoid(5)}`;
  workers.push(name);
  const worker = await spawnCube(['worker', '--port', '0', '--name', name], env(dir));
  processes.push(worker);
  const address = worker.url.replace('http://', '');
  const first = await spawnCube(['manager', '--port', '0', '--workers', address], env(dir));
  processes.push(first);
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
  const second = await spawnCube(['manager', '--port', port, '--workers', address], env(dir));
  processes.push(second);
  const listed = (await get<Task[]>(`${second.url}/tasks`)).body.map((task) => task.ID);
  for (const id of accepted) assert.ok(listed.includes(id), `task ${id} answered 201 is still there`);
  const view = await untilView(second.url, running(accepted));
  const containers = await containersOf(name);
  const runningTasks = view.tasks.filter((task) => task.State === 2);
  assert.equal(containers.length, new Set(containers.map((c) => c.Labels['cube.task.id'])).size, 'one container per task, no duplicates');
  assert.ok(runningTasks.length >= accepted.length);
});

test('a worker killed with -9 keeps its containers running, and adopts them when it restarts', async (t) => {
  const { processes, workers } = cleanup(t);
  const dir = mkdtempSync(join(tmpdir(), 'cube-kill-worker-'));
  const name = `kw-${nanoid(5)}`;
  workers.push(name);
  const worker = await spawnCube(['worker', '--port', '0', '--name', name], env(dir));
  processes.push(worker);
  const address = worker.url.replace('http://', '');
  const manager = await spawnCube(['manager', '--port', '0', '--workers', address], env(dir, { CUBE_HEARTBEAT_TTL: '30s' }));
  processes.push(manager);
  await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await post<Task>(`${manager.url}/tasks`, hello(`${name}-${i}`))).body.ID);
  const before = await untilView(manager.url, running(ids));
  const containerIds = ids.map((id) => before.tasks.find((task) => task.ID === id)!.ContainerID).sort();

  await worker.stop('SIGKILL');
  const survivors = await containersOf(name);
  assert.deepEqual(survivors.filter((c) => c.State === 'running').map((c) => c.Id).sort(), containerIds, 'containers outlive their worker');

  const again = await spawnCube(['worker', '--port', address.split(':')[1]!, '--name', name], env(dir));
  processes.push(again);
  const restored = (await get<Task[]>(`${again.url}/tasks`)).body;
  assert.deepEqual(restored.filter((task) => task.State === 2).map((task) => task.ContainerID).sort(), containerIds, 'adopted, not started again');
  assert.equal((await containersOf(name)).length, 3, 'no duplicate containers');
  const after = await untilView(manager.url, (v) => v.nodes[0]?.State === 'up' && running(ids)(v));
  assert.deepEqual(ids.map((id) => after.tasks.find((task) => task.ID === id)!.ContainerID).sort(), containerIds);
});

test('a worker that never comes back: its tasks end up Running on another worker', async (t) => {
  const { processes, workers } = cleanup(t);
  const dir = mkdtempSync(join(tmpdir(), 'cube-lost-'));
  const names = [`lost-${nanoid(5)}`, `kept-${nanoid(5)}`];
  workers.push(...names);
  const [lost, kept] = [await spawnCube(['worker', '--port', '0', '--name', names[0]!], env(dir)), await spawnCube(['worker', '--port', '0', '--name', names[1]!], env(dir))];
  processes.push(lost, kept);
  const addresses = [lost.url, kept.url].map((u) => u.replace('http://', ''));
  const manager = await spawnCube(['manager', '--port', '0', '--workers', addresses.join(','), '--scheduler', 'roundrobin'], env(dir));
  processes.push(manager);
  await untilView(manager.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up'));
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await post<Task>(`${manager.url}/tasks`, hello(`${names[0]}-${i}`))).body.ID);
  await untilView(manager.url, running(ids));

  await lost.stop('SIGKILL');
  const view = await untilView(manager.url, (v) => running(ids)(v) && ids.every((id) => v.tasks.find((task) => task.ID === id)!.Worker === addresses[1]));
  assert.equal(view.nodes.find((n) => n.Name === addresses[0]).State, 'down');
  const moved = view.tasks.filter((task) => task.Events.some((e) => e.Type === 'Rescheduling' && /was lost \(no heartbeat/.test(e.Message)));
  assert.equal(moved.length, 2, 'the two tasks of the lost worker were placed again');
  assert.equal((await containersOf(names[1]!)).filter((c) => c.State === 'running').length, 4);
});

test('a worker cut off and back again: its tasks were placed elsewhere, and its copies are stopped when it answers', async (t) => {
  const { processes, workers } = cleanup(t);
  const dir = mkdtempSync(join(tmpdir(), 'cube-cut-'));
  const names = [`cut-${nanoid(5)}`, `cut-${nanoid(5)}`];
  workers.push(...names);
  const started = [await spawnCube(['worker', '--port', '0', '--name', names[0]!], env(dir)), await spawnCube(['worker', '--port', '0', '--name', names[1]!], env(dir))];
  processes.push(...started);
  const addresses = started.map((w) => w.url.replace('http://', ''));
  const manager = await spawnCube(['manager', '--port', '0', '--workers', addresses.join(','), '--scheduler', 'roundrobin'], env(dir));
  processes.push(manager);
  await untilView(manager.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up'));
  const id = (await post<Task>(`${manager.url}/tasks`, hello(`${names[0]}-x`))).body.ID;
  await untilView(manager.url, running([id]));
  const first = addresses.indexOf((await get<Task>(`${manager.url}/tasks/${id}`)).body.Worker);
  const [cut, cutName, otherAddress] = [started[first]!, names[first]!, addresses[1 - first]!];

  cut.child.kill('SIGSTOP'); // frozen: its connections stay open, it says nothing
  const moved = await untilView(manager.url, (v) => v.tasks.find((task) => task.ID === id)?.Worker === otherAddress && running([id])(v));
  // Both workers share this engine, so the new one took the name over from the frozen one's copy.
  assert.ok(moved.tasks.find((task) => task.ID === id)!.Events.some((e) => e.Message.includes(`took over from worker ${cutName}`)));

  cut.child.kill('SIGCONT');
  await untilView(manager.url, (v) => v.nodes.find((n) => n.Name === addresses[first])?.State === 'up');
  // The worker that came back still believes it runs the task: the manager stops that copy there.
  const log = await untilLog(manager.url, (entries) => entries.some((e) => e.Type === 'Duplicate Stopped' && e.Task === id));
  assert.ok(log.length > 0);
  const onCut = await untilWorkerTask(cut.url, id, (task) => task.State === 3);
  assert.equal(onCut.State, 3, 'the copy on the worker that came back is stopped');
  assert.equal(await waitForNoRunning(cutName), 0);
  const final = (await get<Task>(`${manager.url}/tasks/${id}`)).body;
  assert.equal(final.Worker, otherAddress);
  assert.equal(final.State, 2);
});

/** Follows the manager's event stream until its log satisfies `done`. */
async function untilLog(url: string, done: (entries: any[]) => boolean): Promise<any[]> {
  const entries = (await get<any[]>(`${url}/log?limit=1000`)).body;
  if (done(entries)) return entries;
  const { readEvents } = await import('../../src/http/sse-client.js');
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60_000);
  try {
    const response = await fetch(`${url}/events`, { signal: abort.signal });
    for await (const { type, data } of readEvents(response.body!)) {
      if (type === 'log') entries.push(data.entry);
      if (done(entries)) return entries;
    }
    throw new Error('stream ended');
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** Follows a worker's event stream until its record of a task satisfies `done`. */
async function untilWorkerTask(url: string, id: string, done: (task: Task) => boolean): Promise<Task> {
  const { readEvents } = await import('../../src/http/sse-client.js');
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60_000);
  try {
    const response = await fetch(`${url}/events`, { signal: abort.signal });
    for await (const { type, data } of readEvents(response.body!)) {
      const tasks: Task[] = type === 'worker.tasks' ? data.tasks : type === 'task.updated' ? [data.task] : [];
      const task = tasks.find((x) => x.ID === id);
      if (task && done(task)) return task;
    }
    throw new Error('stream ended');
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** Waits, on Docker's own events, until a worker has no running container. */
async function waitForNoRunning(worker: string): Promise<number> {
  const { docker } = await import('../helpers/docker.js');
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
