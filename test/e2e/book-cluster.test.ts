// A manager with one Cube worker and one book-protocol worker, as people run
// them: `cube manager` and `cube worker` are processes, the book worker is a
// real HTTP server running real containers (test/helpers/book-worker.ts).
// Tasks are placed on both by E-PVM over both workers' stats, run, and stop;
// each worker answering garbage leaves the manager serving; `cube node` shows
// both up with their resources and the protocol each speaks; and the book's
// CLI can read Cube's /tasks and /nodes.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { nanoid } from 'nanoid';
import type { NodeView } from '../../src/manager/views/node-view.js';
import { emptyHeld, epvm, holdTask } from '../../src/scheduler/index.js';
import type { Candidate } from '../../src/vocabulary/scheduler.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { decodeBookTask } from '../helpers/book-manager.js';
import { startBookWorker, type BookWorker, type Garbage } from '../helpers/book-worker.js';
import { cubeBin, spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { containersOf, inspectContainer, removeContainersOf } from '../helpers/docker.js';
import { startGarbageProxy, type GarbageProxy } from '../helpers/garbage-proxy.js';
import { del, get, post } from '../helpers/http.js';
import { untilView, type ManagerView } from '../helpers/watch.js';

const settings = { CUBE_STORE: 'memory', CUBE_HEARTBEAT_TTL: '60s', CUBE_BOOK_POLL_INTERVAL: '200ms', CUBE_RESTART_DELAY: '1m' };

interface Mixed {
  manager: CubeProcess;
  cube: { name: string; address: string };
  book: BookWorker;
  proxy: GarbageProxy;
}

/** The Cube worker is reached through a proxy that can make it answer garbage. */
async function mixedCluster(t: TestContext): Promise<Mixed> {
  const name = `mix-${nanoid(6)}`;
  const worker = await spawnCube(['worker', '--port', '0', '--name', name], settings);
  const proxy = await startGarbageProxy(worker.url.replace('http://', ''));
  const book = await startBookWorker(t);
  const manager = await spawnCube(['manager', '--port', '0', '--workers', `${proxy.address},${book.address}`], settings);
  t.after(async () => {
    await Promise.all([manager.stop('SIGKILL'), worker.stop('SIGKILL'), proxy.close()]);
    await removeContainersOf(name);
  });
  // Both up, and the book worker's CPUs counted from its jiffies.
  await untilView(manager.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up' && n.CpuCount > 0));
  return { manager, cube: { name, address: proxy.address }, book, proxy };
}

/** What E-PVM picks from what /nodes and /tasks say now: the manager's inputs. */
async function epvmWouldPick(url: string, task: Task): Promise<string> {
  const nodes = (await get<NodeView[]>(`${url}/nodes`)).body;
  const tasks = (await get<Task[]>(`${url}/tasks`)).body;
  const candidates: Candidate[] = nodes.map((n) => ({
    name: n.Name,
    stats: { ...n, Worker: n.Name, Runtime: 'up', RuntimeProblem: '', Protocol: n.Protocol === 'unknown' ? undefined : n.Protocol },
    held: tasks.filter((x) => x.Worker === n.Name && [1, 2].includes(x.State)).reduce((held, x) => holdTask(held, x, 1), emptyHeld()),
  }));
  return epvm.pick(task, candidates, undefined).worker!;
}

const runningOn = (view: ManagerView, ids: string[]) => ids.every((id) => view.tasks.find((x) => x.ID === id)?.State === 2);

test('a Cube worker and a book worker: E-PVM places on both, tasks run and stop, and cube node shows both up', { timeout: 60_000 }, async (t) => {
  const { manager, cube, book } = await mixedCluster(t);
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    // One CPU each on two-CPU workers: each worker takes two, as E-PVM and the filter decide.
    const task = newTask({ ID: crypto.randomUUID(), Name: `mx-${nanoid(8)}`, Image: 'strm/helloworld-http', Cpu: 1 });
    const before = await epvmWouldPick(manager.url, task);
    const placed = (await post<Task>(`${manager.url}/tasks`, { Task: task })).body;
    if (placed.Worker !== before) {
      const after = await epvmWouldPick(manager.url, { ...task, ID: `${task.ID}-again` });
      assert.equal(placed.Worker, after, `placed on ${placed.Worker}; E-PVM says ${before} before and ${after} after`);
    }
    ids.push(placed.ID);
  }
  const view = await untilView(manager.url, (v) => runningOn(v, ids));
  const workers = ids.map((id) => view.tasks.find((x) => x.ID === id)!.Worker);
  assert.equal(workers.filter((w) => w === cube.address).length, 2);
  assert.equal(workers.filter((w) => w === book.address).length, 2);
  assert.equal((await containersOf(cube.name)).length, 2);
  assert.equal(book.tasks().filter((x) => x.State === 2).length, 2);
  assert.equal(book.posts.length, 2, 'the book worker got each of its runs once');

  const { stdout } = await promisify(execFile)(process.execPath, [cubeBin, 'node', '-m', manager.url.replace('http://', '')]);
  const [header, ...rows] = stdout.trim().split('\n');
  assert.match(header!, /^NAME\s+ADDRESS\s+PROTOCOL\s+STATE\s+MEMORY\s+DISK\s+CPU\s+ALLOCATED\s+TASKS\s+LABELS\s+LAST SEEN$/);
  const row = (address: string) => rows.find((r) => r.startsWith(address))!;
  assert.match(row(cube.address), /\scube\s+up\s+[\d.]+\/[\d.]+ GiB free\s+[\d.]+\/[\d.]+ GiB free\s+\d+% of 2 cores\s+(-|[\d.]+\/\d+ CPUs?, .+?)\s+2\s+-\s/);
  assert.match(row(book.address), /\sbook\s+up\s+[\d.]+\/[\d.]+ GiB free\s+[\d.]+\/[\d.]+ GiB free\s+\d+% of 2 cores\s+(-|[\d.]+\/\d+ CPUs?, .+?)\s+2\s+-\s/);

  // The book's CLI reads Cube's manager: task IDs are UUIDs, nodes have Memory and Disk.
  for (const task of (await get<unknown[]>(`${manager.url}/tasks`)).body) decodeBookTask(task);
  for (const node of (await get<NodeView[]>(`${manager.url}/nodes`)).body) {
    assert.ok(node.Memory > 0 && node.Disk > 0 && node.Role === 'worker', node.Name);
    assert.ok(node.Stats?.MemStats.mem_total === node.Memory, `${node.Name}: its stats in the book's keys`);
  }

  for (const id of ids) {
    const containerId = view.tasks.find((x) => x.ID === id)!.ContainerID;
    assert.equal((await del(`${manager.url}/tasks/${id}`)).status, 204);
    assert.equal((await get<Task>(`${manager.url}/tasks/${id}`)).body.State, 3);
    assert.equal(await inspectContainer(containerId), undefined, 'its container is gone');
  }
});

/** The worker is suspect, and says so in these words (cut streams may say something else first). */
const suspectFor = (view: ManagerView, name: string, problem: RegExp) => {
  const node = view.nodes.find((n) => n.Name === name);
  return node?.State === 'suspect' && problem.test(node.Problem);
};

const bookProblem: Record<Garbage, RegExp> = {
  null: /GET \/(tasks|stats): (\[0\]: expected a task object, got null|null: the worker has no stats yet)/,
  'wrong-types': /GET \/(tasks|stats): (\[0\]\.State|MemStats\.mem_total): expected/,
  truncated: /GET \/(tasks|stats): not JSON/,
  html: /GET \/(tasks|stats): not JSON .*<!DOCTYPE html>/,
};

const cubeProblem: Record<Garbage, RegExp> = {
  null: /its event stream sent something that Cube cannot read \(worker\.stats: stats: expected a stats object, got (undefined|null)/,
  'wrong-types': /its event stream sent something that Cube cannot read \(worker\.stats: stats\.MemoryTotal: expected a number/,
  truncated: /its event stream sent something that Cube cannot read \(.*JSON/,
  html: /the worker closed its event stream/,
};

test(
  'each worker answering garbage: the manager keeps serving, that worker is suspect saying why, and both are up again after',
  { timeout: 60_000 },
  async (t) => {
    const { manager, cube, book, proxy } = await mixedCluster(t);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++)
      ids.push((await post<Task>(`${manager.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: `gb-${nanoid(8)}`, Cpu: 1.5 } })).body.ID);
    await untilView(manager.url, (v) => runningOn(v, ids));

    for (const kind of Object.keys(bookProblem) as Garbage[]) {
      book.garble(kind);
      await untilView(manager.url, (v) => suspectFor(v, book.address, bookProblem[kind]));
      assert.equal((await get<Task[]>(`${manager.url}/tasks`)).status, 200);
      book.garble(null);
      await untilView(manager.url, (v) => v.nodes.every((n) => n.State === 'up'));
    }
    for (const kind of Object.keys(cubeProblem) as Garbage[]) {
      proxy.garble(kind);
      await untilView(manager.url, (v) => suspectFor(v, cube.address, cubeProblem[kind]));
      proxy.garble(null);
      await untilView(manager.url, (v) => v.nodes.every((n) => n.State === 'up'));
    }
    const view = await untilView(manager.url, (v) => runningOn(v, ids));
    assert.deepEqual(view.tasks.map((x) => x.Worker).sort(), [cube.address, book.address].sort(), 'each task where it was');
    assert.equal(book.posts.length, 1);
    assert.equal((await containersOf(cube.name)).length, 1);
  },
);
