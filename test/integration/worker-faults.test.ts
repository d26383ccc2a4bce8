// A worker whose Docker engine stops answering, or goes away, keeps serving
// and fails tasks with a reason; a worker that restarts adopts its containers.
// The engine is reached through a socket proxy the test can cut, so the real
// engine other tests use is never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from 'xstate';
import { startDockerProxy } from '../helpers/docker-proxy.js';
import { startDockerHttpProxy } from '../helpers/docker-http-proxy.js';
import { containersOf, docker, dockerCli, inspectContainer, removeContainersOf } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';
import { testSettings, testWorker, untilTask } from '../helpers/worker.js';
import { startWorker } from '../../src/worker/start.js';
import { silentLog } from '../../src/log.js';
import type { Task } from '../../src/vocabulary/task.js';

const event = (task: Partial<Task>) => ({ Task: { Image: 'strm/helloworld-http', ...task } });

test('an engine that stops answering fails new tasks with a reason; the worker keeps serving and recovers', { timeout: 60_000 }, async (t) => {
  const proxy = await startDockerProxy();
  t.after(() => proxy.close());
  const worker = await testWorker(t, { dockerHost: proxy.address, settings: { dockerTimeoutMs: 700 } });

  proxy.setMode('silent'); // accepts, never answers
  await waitFor(worker.service.actor, (s) => s.context.runtimeProblem !== '', { timeout: 5000 });
  const hung = await post<Task>(`${worker.url}/tasks`, event({ Name: 'hung' }));
  assert.equal(hung.status, 201);
  const failed = await untilTask(worker, hung.body.ID, (x) => x.State === 4);
  assert.match(failed.Reason, new RegExp(`the Docker engine does not answer at ${proxy.address}`));
  assert.match(failed.Reason, /scripts\/docker-up\.sh/);
  assert.equal((await get(`${worker.url}/tasks`)).status, 200, 'the API still answers');

  proxy.setMode('forward'); // the engine is back: the event stream reconnects
  await waitFor(worker.service.actor, (s) => s.context.runtimeProblem === '', { timeout: 10_000 });
  const next = await post<Task>(`${worker.url}/tasks`, event({ Name: 'after-recovery' }));
  await untilTask(worker, next.body.ID, (x) => x.State === 2);
});

test('an engine that is gone fails tasks with a reason and /stats says the runtime is down', { timeout: 60_000 }, async (t) => {
  const proxy = await startDockerProxy();
  const worker = await testWorker(t, { dockerHost: proxy.address, settings: { heartbeatTtlMs: 300 } });
  await proxy.close(); // the socket is removed: ENOENT
  await waitFor(worker.service.actor, (s) => s.context.stats?.Runtime === 'down', { timeout: 5000 });
  const stats = await get(`${worker.url}/stats`);
  assert.equal(stats.body.Runtime, 'down');
  assert.notEqual(stats.body.RuntimeProblem, '');
  const created = await post<Task>(`${worker.url}/tasks`, event({ Name: 'no-engine' }));
  const failed = await untilTask(worker, created.body.ID, (x) => x.State === 4);
  assert.match(failed.Reason, /does not answer at unix:\/\/.*\(ENOENT\)/);
});

test('a worker that starts without an engine refuses to start and says how to get one', { timeout: 60_000 }, async () => {
  await assert.rejects(
    startWorker({ port: 0, name: 'no-engine', dockerHost: 'unix:///nonexistent/docker.sock', settings: testSettings(), log: silentLog }),
    /the Docker engine does not answer at unix:\/\/\/nonexistent\/docker.sock \(ENOENT\)\. Start it \(scripts\/docker-up.sh/,
  );
});

test('a restarted worker restores its tasks from disk and adopts their running containers', { timeout: 60_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cube-worker-'));
  const name = `adopt-${process.pid}`;
  t.after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await removeContainersOf(name);
  });
  const settings = testSettings({ store: 'sqlite', dataDir });
  const first = await startWorker({ port: 0, name, settings, log: silentLog });
  const created = await post<Task>(`${first.url}/tasks`, event({ Name: `adopt-${process.pid}` }));
  const running = await untilTask(first, created.body.ID, (x) => x.State === 2);
  await first.close(); // the container keeps running

  const second = await startWorker({ port: 0, name, settings, log: silentLog });
  t.after(() => second.close());
  const restored = await get<Task>(`${second.url}/tasks/${created.body.ID}`);
  assert.equal(restored.body.State, 2);
  assert.equal(restored.body.ContainerID, running.ContainerID, 'the same container, adopted');
  assert.equal((await containersOf(name)).length, 1, 'no duplicate');

  await dockerCli('kill', running.ContainerID); // and it is watched again
  const failed = await untilTask(second, created.body.ID, (x) => x.State === 4);
  assert.equal(failed.ExitCode, 137);
});

test('a container Docker cannot remove is renamed out of the way, so its task restarts under its name', { timeout: 60_000 }, async (t) => {
  const proxy = await startDockerHttpProxy();
  t.after(() => proxy.close());
  const worker = await testWorker(t, { dockerHost: proxy.address });
  const created = await post<Task>(`${worker.url}/tasks`, event({ Name: `stuck-${worker.name.slice(5)}` }));
  const first = await untilTask(worker, created.body.ID, (x) => x.State === 2);

  proxy.failRemovals = true; // as after an engine stopped in the middle of a removal
  await post(`${worker.url}/tasks`, event({ ID: created.body.ID, Name: first.Name })); // a restart: the old container must go
  const again = await untilTask(worker, created.body.ID, (x) => x.State === 2 && x.ContainerID !== first.ContainerID);
  const parked = `${first.Name}-dead-${first.ContainerID.slice(0, 12)}`;
  assert.ok(
    again.Events.some((e) => e.Message.includes(`it was renamed ${parked} so the name is free`)),
    JSON.stringify(again.Events),
  );
  assert.equal((await inspectContainer(first.ContainerID))?.Name, `/${parked}`);
  assert.equal((await inspectContainer(again.ContainerID))?.Name, `/${first.Name}`);
  proxy.failRemovals = false;
});

test(
  'a task taken over from another worker on the engine wins its name, even when that worker starts its copy again in between',
  { timeout: 60_000 },
  async (t) => {
    const other = await testWorker(t);
    const name = `taken-${other.name.slice(5)}`;
    const created = await post<Task>(`${other.url}/tasks`, event({ Name: name }));
    const theirs = await untilTask(other, created.body.ID, (x) => x.State === 2);
    const labels = (await inspectContainer(theirs.ContainerID))!.Config.Labels;
    const proxy = await startDockerHttpProxy();
    t.after(() => proxy.close());
    const worker = await testWorker(t, { dockerHost: proxy.address });
    // Just as this worker has removed the other's copy, that worker's restart policy makes it again.
    let again = '';
    proxy.onRemoved = async (container) => {
      if (again || container.slice(0, 12) !== theirs.ContainerID.slice(0, 12)) return;
      again = (await docker.createContainer({ name, Image: 'strm/helloworld-http', Labels: labels })).id;
    };
    await post(`${worker.url}/tasks`, event({ ID: created.body.ID, Name: name }));
    const moved = await untilTask(worker, created.body.ID, (x) => ['running', 'failed', 'restarting'].includes(x.StateName));
    assert.notEqual(again, '', 'the copy was made again between the removal and the create');
    assert.equal(moved.StateName, 'running', JSON.stringify(moved.Events.slice(-3)));
    assert.equal((await inspectContainer(moved.ContainerID))?.Name, `/${name}`);
    assert.equal(await inspectContainer(again), undefined, 'the copy made again was taken over too');
    assert.equal(moved.Events.filter((e) => e.Message.includes(`took over from worker ${other.name}`)).length, 2, JSON.stringify(moved.Events));
  },
);
