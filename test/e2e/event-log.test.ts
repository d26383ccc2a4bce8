// What the servers print on stderr (CUBE_LOG, on unless 0): a line for each
// event of a task's history as it happens, and for a worker that goes down and
// comes back; and one name for a worker in every line and in the history, when
// it runs with its default name and the manager lists it by its address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { printed, spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { removeContainersOf } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';

const quick = { CUBE_STORE: 'memory', CUBE_HEARTBEAT_TTL: '1s', CUBE_RESTART_DELAY: '100ms', CUBE_RESTART_LIMIT: '1', CUBE_RECONCILE_INTERVAL: '1s' };

test('a line per event: the task history as it grows, a worker down and back; one name for the worker', { timeout: 60_000 }, async (t) => {
  const worker = await spawnCube(['worker', '--port', '0'], quick);
  const address = worker.url.replace('http://', '');
  const manager = await spawnCube(['manager', '--port', '0', '--workers', address], quick);
  let back: CubeProcess | undefined;
  t.after(async () => {
    await Promise.all([manager, worker, back].map(async (p) => p?.stop('SIGKILL')));
    await removeContainersOf(address);
  });
  assert.match(
    worker.output(),
    new RegExp(`^cube: worker ${address.replace(/\./g, '\\.')} listening on http://${address.replace(/\./g, '\\.')}$`, 'm'),
    'named by its address',
  );
  assert.match(manager.output(), new RegExp(`^cube: manager listening on ${manager.url} with workers ${address}; live view at ${manager.url}/ui$`, 'm'));
  const fromManager = printed(manager);
  await fromManager(new RegExp(`manager: Worker Up: worker ${address} answers`));

  const name = `log-${nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const created = await post<Task>(`${manager.url}/tasks`, { Task: { Name: name, Image: 'timboring/echo-server', Cmd: ['sh', '-c', 'sleep 0.3; exit 3'] } });
  assert.equal(created.status, 201);
  const id = created.body.ID;
  for (const type of ['Received', 'Placed', 'Scheduled', 'Started', 'Terminated', 'Restarting', 'Started']) {
    // Each in its turn: the next search starts after the line found before.
    await fromManager(new RegExp(`manager: task ${id} \\(${name}\\): ${type}: `));
  }
  await fromManager(new RegExp(`manager: task ${id} \\(${name}\\): Not Restarting: `));
  await printed(worker)(new RegExp(`worker: task ${id} \\(${name}\\): Terminated: `));

  const history = (await get<Task>(`${manager.url}/tasks/${id}`)).body.Events;
  const workers = new Set(history.flatMap((e) => [...e.Message.matchAll(/on worker (\S+?)(?::\s|\s|$)/g)].map((m) => m[1])));
  assert.deepEqual([...workers], [address], `one name for the worker in the history: ${JSON.stringify(history.map((e) => e.Message))}`);

  await worker.stop('SIGKILL');
  await fromManager(new RegExp(`manager: Worker Down: worker ${address}: `));
  back = await spawnCube(['worker', '--port', address.split(':')[1]!], quick);
  await fromManager(new RegExp(`manager: Worker Back: worker ${address} answers`));
});
