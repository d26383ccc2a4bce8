// The Docker engine restarted under a running worker: the engine stops every
// container as it goes down, the worker keeps serving, says the runtime is
// down, and once the engine is back its task runs again. This restarts the
// real engine (with scripts/docker-up.sh), so it runs alone: test files run
// one at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { spawnCube } from '../helpers/cube-process.js';
import { inspectContainer, removeContainersOf } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';
import { untilEvent } from '../helpers/watch.js';

const run = promisify(execFile);
const dockerUp = fileURLToPath(new URL('../../scripts/docker-up.sh', import.meta.url));

/** Resolves when process `pid` has exited: `tail --pid` waits on it for us. */
const exited = (pid: number) => new Promise<void>((resolve) => spawn('tail', [`--pid=${pid}`, '-f', '/dev/null']).once('exit', () => resolve()));

const until = (url: string, done: (message: { type: string; data: any }) => boolean) => untilEvent(url, (type, data) => done({ type, data }), 60_000);

test('a worker whose Docker engine restarts keeps serving, reports the engine down, and runs its task again', { timeout: 60_000 }, async (t) => {
  const name = `engine-${nanoid(5)}`;
  const worker = await spawnCube(['worker', '--port', '0', '--name', name], {
    CUBE_STORE: 'memory',
    CUBE_HEARTBEAT_TTL: '600ms',
    CUBE_RESTART_DELAY: '200ms',
    CUBE_RESTART_DELAY_MAX: '1s',
    CUBE_RESTART_LIMIT: '30',
    CUBE_RECONCILE_INTERVAL: '1s',
  });
  let passed = false;
  t.after(async () => {
    if (!passed) t.diagnostic(`worker log:\n${worker.output()}`);
    await worker.stop('SIGKILL');
    await removeContainersOf(name);
  });
  const created = (await post<Task>(`${worker.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: name } })).body;
  await until(worker.url, ({ type, data }) => type === 'task.updated' && data.task.ID === created.ID && data.task.State === 2);
  const before = (await get<Task>(`${worker.url}/tasks/${created.ID}`)).body;

  const pid = Number(readFileSync('/var/run/docker.pid', 'utf8'));
  const down = until(worker.url, ({ type, data }) => type === 'worker.stats' && data.stats.Runtime === 'down');
  process.kill(pid, 'SIGTERM');
  await exited(pid);
  await down;
  const serving = await get<Task[]>(`${worker.url}/tasks`);
  assert.equal(serving.status, 200, 'the API answers while the engine is down');
  const stats = (await get(`${worker.url}/stats`)).body;
  assert.equal(stats.Runtime, 'down');
  assert.notEqual(stats.RuntimeProblem, '');

  await run('bash', [dockerUp], { timeout: 120_000 });
  await until(
    worker.url,
    ({ type, data }) => type === 'task.updated' && data.task.ID === created.ID && data.task.State === 2 && data.task.ContainerID !== before.ContainerID,
  );
  const after = (await get<Task>(`${worker.url}/tasks/${created.ID}`)).body;
  assert.ok(after.RestartCount >= 1);
  // The engine's event stream reconnects on its own schedule; the worker then says the engine is up.
  await until(worker.url, ({ type, data }) => type === 'worker.stats' && data.stats.Runtime === 'up');
  assert.equal((await get(`${worker.url}/stats`)).body.Runtime, 'up');
  assert.equal((await inspectContainer(after.ContainerID))?.State.Running, true, 'its new container runs');
  passed = true;
});
