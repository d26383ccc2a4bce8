// docs/spec.md §7's health scenario with the local timboring/echo-server stand-in, as
// written: /health stays Running with no restarts; /healthfail is restarted
// until the limit and then left Failed; `docker stop` of the healthy one gets
// it Running again with RestartCount 1. Both ask for host port 7777 on one
// worker, so the second runs on a port Docker picks (docs/spec.md §1).
import { test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { nanoid } from 'nanoid';
import assert from 'node:assert/strict';
import { dockerCli } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';
import { testWorker, untilTask } from '../helpers/worker.js';
import type { Task } from '../../src/vocabulary/task.js';
import { example } from '../helpers/examples.js';

const unique = (event: any) => ({ ...event, Task: { ...event.Task, ID: randomUUID(), Name: `${event.Task.Name}-${nanoid(5)}` } });

test(
  'docs/spec.md §7 health: a healthy task keeps running, a failing one is restarted up to the limit, docker stop restarts the healthy one',
  { timeout: 60_000 },
  async (t) => {
    const worker = await testWorker(t, {
      settings: { healthIntervalMs: 100, healthTimeoutMs: 500, healthFailures: 3, restartLimit: 3, restartDelayMs: 50, restartDelayMaxMs: 200 },
    });
    // The examples as written, under IDs and names of this run: a container of an earlier run cut short cannot hold them.
    const healthy = unique(example('task1.json'));
    const failing = unique(example('task2.json'));

    assert.equal((await post(`${worker.url}/tasks`, healthy)).status, 201);
    const up = await untilTask(worker, healthy.Task.ID, (task) => task.State === 2);
    assert.equal(up.HostPorts?.['7777/tcp']?.find((b) => b.HostIp === '0.0.0.0')?.HostPort, '7777', 'the asked host port, free here');
    const echoed = await fetch('http://127.0.0.1:7777/', { method: 'POST', body: '{"hello":"cube"}' });
    assert.deepEqual(await echoed.json(), { hello: 'cube' });

    assert.equal((await post(`${worker.url}/tasks`, failing)).status, 201);
    const halted = await untilTask(worker, failing.Task.ID, (task) => task.StateName === 'failed');
    assert.equal(halted.RestartCount, 3);
    assert.equal(halted.State, 4);
    const unhealthy = halted.Events.filter((e) => e.Type === 'Unhealthy');
    assert.ok(unhealthy.length >= 1);
    assert.match(unhealthy.at(-1)!.Message, /health check failed 3 times in a row: GET http:\/\/127\.0\.0\.1:\d+\/healthfail answered 500/);
    assert.match(halted.Events.at(-1)!.Message, /restart limit reached \(3 of 3/);
    assert.ok(halted.Events.some((e) => e.Type === 'Notice' && /host port 7777 \(for 7777\/tcp\) is taken/.test(e.Message)));
    // Failing the task stops its container (kept for `docker logs`): docker wait returns once it has.
    await dockerCli('wait', halted.ContainerID);
    assert.equal(await dockerCli('inspect', '-f', '{{.State.Running}}', halted.ContainerID), 'false');

    const stillHealthy = (await get<Task>(`${worker.url}/tasks/${healthy.Task.ID}`)).body;
    assert.equal(stillHealthy.State, 2);
    assert.equal(stillHealthy.RestartCount, 0);
    assert.ok(stillHealthy.Events.some((e) => e.Type === 'Healthy'));

    await dockerCli('stop', stillHealthy.ContainerID);
    const restarted = await untilTask(worker, healthy.Task.ID, (task) => task.State === 2 && task.RestartCount === 1);
    assert.notEqual(restarted.ContainerID, stillHealthy.ContainerID);
    assert.deepEqual(
      restarted.Events.slice(-3).map((e) => e.Type),
      ['Terminated', 'Restarting', 'Started'],
    );
  },
);

test('a health check that times out counts as a failure', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t, { settings: { healthIntervalMs: 100, healthTimeoutMs: 200, healthFailures: 2, restartLimit: 0 } });
  // A server that accepts connections and never answers.
  const created = await post<Task>(`${worker.url}/tasks`, {
    Task: {
      Image: 'timboring/echo-server',
      Name: 'silent',
      Cmd: ['sh', '-c', 'nc -ll -p 7777 -e sleep 3600'],
      ExposedPorts: { '7777/tcp': {} },
      HealthCheck: '/health',
    },
  });
  const failed = await untilTask(worker, created.body.ID, (task) => task.StateName === 'failed');
  assert.match(failed.Reason, /did not answer within 200 ms/);
});
