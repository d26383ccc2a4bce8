// One manager and three workers as separate processes on loopback, with the
// real engine: tasks spread as the chosen scheduler says, and a worker killed
// while tasks are queued loses none of them.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { emptyHeld, epvm, holdTask } from '../../src/scheduler/index.js';
import type { Candidate } from '../../src/vocabulary/scheduler.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { containersOf, removeContainersOf } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';
import { spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { untilView } from '../helpers/watch.js';

const quick = { CUBE_STORE: 'memory', CUBE_HEARTBEAT_TTL: '1500ms', CUBE_RESTART_DELAY: '1m' };

async function cluster(t: TestContext, scheduler: string, env: Record<string, string> = {}) {
  const names = [1, 2, 3].map((i) => `e2e-${i}-${nanoid(5)}`);
  const workers: CubeProcess[] = [];
  for (const name of names) workers.push(await spawnCube(['worker', '--port', '0', '--name', name], { ...quick, ...env }));
  const addresses = workers.map((w) => w.url.replace('http://', ''));
  const manager = await spawnCube(['manager', '--port', '0', '--workers', addresses.join(','), '--scheduler', scheduler], { ...quick, ...env });
  t.after(async () => {
    await Promise.all([manager, ...workers].map((p) => p.stop('SIGKILL')));
    for (const name of names) await removeContainersOf(name);
  });
  await until(manager.url, (s) => s.nodes.length === 3 && s.nodes.every((n: any) => n.State === 'up'));
  return { manager, workers, names, addresses };
}

const until = untilView;

const submit = async (url: string, name: string) => (await post<Task>(`${url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: name } })).body;

test('round robin: six tasks go to the three workers in name order, twice around', { timeout: 60_000 }, async (t) => {
  const { manager, addresses, names } = await cluster(t, 'roundrobin');
  const placed: string[] = [];
  for (let i = 0; i < 6; i++) placed.push((await submit(manager.url, `rr-${names[0]}-${i}`)).Worker);
  const order = [...addresses].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  assert.deepEqual(placed, [...order, ...order]);
  await until(manager.url, (v) => v.tasks.length === 6 && v.tasks.every((task) => task.State === 2));
  for (const name of names) assert.equal((await containersOf(name)).length, 2, `${name} runs two containers`);
});

/** What E-PVM would pick from what /nodes and /tasks say now, the manager's inputs. */
async function epvmWouldPick(url: string, task: Task): Promise<string> {
  const nodes = (await get<any[]>(`${url}/nodes`)).body;
  const tasks = (await get<Task[]>(`${url}/tasks`)).body;
  const candidates: Candidate[] = nodes.map((n) => ({
    name: n.Name,
    stats: { ...n, Worker: n.Name, RuntimeProblem: '' },
    held: tasks.filter((t) => t.Worker === n.Name && t.State !== 3).reduce((held, t) => holdTask(held, t, 1), emptyHeld()),
  }));
  return epvm.pick(task, candidates, undefined).worker!;
}

test('E-PVM: each task goes where the scheduler says, given the stats the workers report', { timeout: 60_000 }, async (t) => {
  // Heartbeats every 5 s: the stats rarely change between the question and the POST.
  const { manager, names } = await cluster(t, 'epvm', { CUBE_HEARTBEAT_TTL: '60s' });
  let exact = 0;
  for (let i = 0; i < 6; i++) {
    const task = newTask({ ID: `ep-${names[0]}-${i}`, Name: `ep-${names[0]}-${i}`, Image: 'strm/helloworld-http', Memory: (i % 3) * 128 * 2 ** 20 });
    const before = await epvmWouldPick(manager.url, task);
    const placed = (await post<Task>(`${manager.url}/tasks`, { Task: task })).body.Worker;
    if (placed === before) {
      exact++;
      continue;
    }
    // A heartbeat landed in between: then the pick from just after must match.
    const after = await epvmWouldPick(manager.url, { ...task, ID: `${task.ID}-again` });
    assert.equal(placed, after, `placed on ${placed}; E-PVM says ${before} before and ${after} after`);
  }
  t.diagnostic(`${exact} of 6 placements matched the pick computed just before`);
  await until(manager.url, (v) => v.tasks.length === 6 && v.tasks.every((task) => task.State === 2));
});

test('a worker killed with -9 while tasks are queued: every task ends up Running on the others, none lost', { timeout: 60_000 }, async (t) => {
  const { manager, workers, addresses, names } = await cluster(t, 'roundrobin');
  await workers[1]!.stop('SIGKILL');
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push((await submit(manager.url, `k-${names[0]}-${i}`)).ID);
  await until(manager.url, (v) => ids.every((id) => v.tasks.find((task) => task.ID === id)?.State === 2));
  const tasks = (await get<Task[]>(`${manager.url}/tasks`)).body;
  assert.deepEqual(tasks.map((task) => task.ID).sort(), [...ids].sort(), 'every task accepted is there');
  assert.ok(
    tasks.every((task) => task.Worker !== addresses[1]),
    'none runs on the killed worker',
  );
  assert.equal((await containersOf(names[0]!)).length + (await containersOf(names[2]!)).length, 6, 'six containers, no duplicates');
  const nodes = (await get(`${manager.url}/nodes`)).body as any[];
  assert.notEqual(nodes.find((n) => n.Name === addresses[1])!.State, 'up');
});

test('with its only worker killed, tasks wait in the queue saying why, and run when the worker is back', { timeout: 60_000 }, async (t) => {
  const name = `only-${nanoid(5)}`;
  const worker = await spawnCube(['worker', '--port', '0', '--name', name], quick);
  const address = worker.url.replace('http://', '');
  const manager = await spawnCube(['manager', '--port', '0', '--workers', address], quick);
  let back: CubeProcess | undefined;
  t.after(async () => {
    await Promise.all([manager, worker, back].map(async (p) => p?.stop('SIGKILL')));
    await removeContainersOf(name);
  });
  await until(manager.url, (v) => v.nodes[0]?.State === 'up');
  await worker.stop('SIGKILL');
  await until(manager.url, (v) => v.nodes[0]?.State !== 'up');
  const queued = [await submit(manager.url, `${name}-a`), await submit(manager.url, `${name}-b`)];
  for (const task of queued) {
    assert.equal(task.State, 0);
    assert.match(task.Reason, new RegExp(`^no worker can take the task: 1 worker: 1 (suspect|down) \\(${address}\\)$`));
  }
  back = await spawnCube(['worker', '--port', address.split(':')[1]!, '--name', name], quick);
  await until(manager.url, (v) => queued.every((q) => v.tasks.find((task) => task.ID === q.ID)?.State === 2));
  assert.equal((await containersOf(name)).length, 2);
});
