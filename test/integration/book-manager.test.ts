// The book's manager loop (test/helpers/book-manager.ts) driving real Cube
// workers over HTTP: it reads Cube's /stats and /tasks as the book's Go code
// does, places with the book's E-PVM over the book's keys of Cube's /stats,
// and starts and stops tasks there. Cube speaks the book's protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { bookEpvmScore, decodeBookTask, startBookManager, type BookPlacement } from '../helpers/book-manager.js';
import { startBookWorker } from '../helpers/book-worker.js';
import { containersOf, inspectContainer } from '../helpers/docker.js';
import { bookRecording } from '../helpers/examples.js';
import { get } from '../helpers/http.js';
import { testWorker } from '../helpers/worker.js';

/** Every key path of a JSON value, in order. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => [`${prefix}${key}`, ...keyPaths(inner, `${prefix}${key}.`)]);
}

test('Cube’s /stats carries the book’s keys, with the recording’s names and units, beside its own', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const stats = (await get(`${worker.url}/stats`)).body;
  const recorded = bookRecording('stats.json').json;
  for (const part of ['MemStats', 'DiskStats', 'CpuStats', 'LoadStats']) assert.deepEqual(keyPaths(stats[part]), keyPaths(recorded[part]), part);
  assert.equal(stats.MemStats.mem_total * 1024, stats.MemoryTotal, 'MemStats in kB');
  assert.equal(stats.DiskStats.all, stats.DiskTotal, 'DiskStats in bytes, of the same disk');
  assert.equal(stats.DiskStats.used + stats.DiskStats.free, stats.DiskStats.all);
  assert.ok(stats.CpuStats.idle > 0 && stats.CpuStats.user > 0, 'jiffies since boot');
  assert.equal(stats.TaskCount, 0);
});

test('the book’s manager places tasks on two Cube workers with its E-PVM over their /stats, runs them, and stops them', { timeout: 60_000 }, async (t) => {
  const workers = [await testWorker(t), await testWorker(t)];
  const addresses = workers.map((w) => w.url.replace('http://', ''));
  const manager = startBookManager(t, addresses);
  await manager.polled();
  await manager.polled(); // its E-PVM needs two samples of each worker's CPU jiffies

  const placements: BookPlacement[] = [];
  for (let i = 0; i < 4; i++) {
    const name = `bm-${nanoid(8)}`;
    const expected = Object.fromEntries([...manager.nodes.values()].map((n) => [n.Name, bookEpvmScore({ Memory: 64 * 2 ** 20 }, n)]));
    const placed = await manager.submit({ Name: name, Image: 'strm/helloworld-http', Memory: 64 * 2 ** 20 });
    assert.deepEqual(Object.keys(placed.scores).sort(), [...addresses].sort(), 'the stats of both Cube workers can be read: both are scored');
    assert.deepEqual(placed.scores, expected);
    const lowest = Math.min(...Object.values(placed.scores));
    assert.equal(placed.scores[placed.worker], lowest, 'the lowest E-PVM score wins');
    assert.equal(placed.answer.State, 1, 'Cube answers the POST with the task Scheduled, in keys the book decodes');
    placements.push(placed);
  }
  // One host under both workers: the book's E-PVM prices the jobs already sent, so each pair goes one to each.
  const workersOf = (pair: typeof placements) => pair.map((p) => p.worker).sort();
  assert.deepEqual(workersOf(placements.slice(0, 2)), [...addresses].sort());
  assert.deepEqual(workersOf(placements.slice(2)), [...addresses].sort());

  for (const placed of placements) {
    const running = await manager.untilTask(placed.answer.ID, (task) => task.State === 2 && task.ContainerID !== '');
    assert.ok((await inspectContainer(running.ContainerID))?.State.Running);
    assert.ok(Object.keys(running.HostPorts ?? {}).includes('80/tcp'), 'Cube publishes the image’s port, as the book’s runtime does');
  }
  const listed = (await get<unknown[]>(`${workers[0]!.url}/tasks`)).body.map(decodeBookTask);
  assert.equal(listed.length, 2, 'Cube’s GET /tasks reads as the book reads it: UUIDs and all');

  for (const placed of placements) {
    const containerId = manager.tasks.get(placed.answer.ID)!.ContainerID;
    await manager.stop(placed.answer.ID);
    assert.equal(await inspectContainer(containerId), undefined, 'Cube answers 204 once the container is gone');
    await manager.untilTask(placed.answer.ID, (task) => task.State === 3);
  }
  const onCube = (await get<Task[]>(`${workers[1]!.url}/tasks`)).body;
  assert.ok(onCube.every((task) => task.State === 3 && task.FinishTime !== '0001-01-01T00:00:00Z'));
});

test('the book’s manager with a Cube worker and a book worker: both are scored and both run tasks', { timeout: 60_000 }, async (t) => {
  const cube = await testWorker(t);
  const book = await startBookWorker(t);
  const cubeAddress = cube.url.replace('http://', '');
  const manager = startBookManager(t, [cubeAddress, book.address]);
  await manager.polled();
  await manager.polled();
  const placed: BookPlacement[] = [];
  for (let i = 0; i < 2; i++) placed.push(await manager.submit({ Name: `bx-${nanoid(8)}`, Image: 'strm/helloworld-http' }));
  assert.deepEqual(placed.map((p) => p.worker).sort(), [cubeAddress, book.address].sort());
  for (const p of placed) await manager.untilTask(p.answer.ID, (task) => task.State === 2);
  assert.equal((await containersOf(cube.name)).length, 1);
  assert.equal(book.tasks().filter((x) => x.State === 2).length, 1);
});
