// Jobs that finish (issue 22), on the real engine: a container that exits 0 by
// itself under RestartPolicy "" or on-failure ends its task Completed, with
// its exit code and "exited 0" in its history; a non-zero exit is still a
// failure that the policy restarts; `always` restarts an exit 0 too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { post } from '../helpers/http.js';
import { testWorker, untilTask } from '../helpers/worker.js';
import type { Task } from '../../src/vocabulary/task.js';

const job = (RestartPolicy: string, script: string) => ({ Task: { Image: 'timboring/echo-server', RestartPolicy, Cmd: ['sh', '-c', script] } });

test('a batch task whose container exits 0 is Completed, under "" and on-failure alike', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t, { settings: { restartDelayMs: 50, restartLimit: 3 } });
  for (const policy of ['', 'on-failure']) {
    const created = await post<Task>(`${worker.url}/tasks`, job(policy, 'echo work done'));
    assert.equal(created.status, 201);
    const done = await untilTask(worker, created.body.ID, (task) => task.StateName === 'completed' || task.StateName === 'failed');
    assert.equal(done.StateName, 'completed', `RestartPolicy ${JSON.stringify(policy)}: ${done.Reason}`);
    assert.equal(done.State, 3);
    assert.equal(done.ExitCode, 0);
    assert.equal(done.RestartCount, 0);
    assert.match(done.Events.at(-1)!.Message, /^exited 0: the job is done/);
  }
});

test('a batch task that exits non-zero still fails and is restarted by its policy; always restarts an exit 0', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t, { settings: { restartDelayMs: 50, restartDelayMaxMs: 100, restartLimit: 2 } });
  const failing = await post<Task>(`${worker.url}/tasks`, job('on-failure', 'exit 3'));
  const halted = await untilTask(worker, failing.body.ID, (task) => task.StateName === 'failed');
  assert.equal(halted.ExitCode, 3);
  assert.equal(halted.RestartCount, 2, 'restarted up to the limit');

  const looping = await post<Task>(`${worker.url}/tasks`, job('always', 'exit 0'));
  const again = await untilTask(worker, looping.body.ID, (task) => task.RestartCount >= 1);
  assert.notEqual(again.StateName, 'completed');
});
