// Names people can read, one rule for which task a word means, and cube rm,
// against a real `cube start` (SQLite in its data dir, a Docker worker) and the
// built `cube` command: a nameless task is named from its image, the table fits
// 120 columns, status/logs/restart/stop take the live task named web when a
// Completed one shares the name, and cube rm forgets a finished task for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { cube, noStack, type CliResult } from '../helpers/cube-cli.js';
import { spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { inspectContainer, removeContainersOf } from '../helpers/docker.js';
import { get } from '../helpers/http.js';

const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what}:\n${r.stdout}\n${r.stderr}`);

test('names, the one naming rule and cube rm, through the cube command', { timeout: 240_000 }, async (t) => {
  const worker = `names-${nanoid(5).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'cube-names-'));
  const start = () => spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', worker], { CUBE_DATA_DIR: dataDir });
  let running: CubeProcess = await start();
  t.after(async () => {
    await running.stop('SIGKILL');
    await removeContainersOf(worker);
  });
  const env = () => ({ CUBE_MANAGER: running.url.replace('http://', '') });
  const tasks = async () => (await get<Task[]>(`${running.url}/tasks`)).body;
  const run = async (task: object) => {
    const result = await cube(['run', '-f', '-'], env(), JSON.stringify(task));
    ok(result, `cube run ${JSON.stringify(task)}`);
    return result;
  };

  await t.test('a task without a name gets one from its image and its ID, and its container has it', { timeout: 60_000 }, async () => {
    await run({ ID: 'a1b2c3d4-0000-4000-8000-000000000001', Image: 'strm/helloworld-http' });
    await run({ ID: 'a1b2c3d4-0000-4000-8000-000000000002', Image: 'strm/helloworld-http' });
    const [first, second] = await tasks();
    assert.equal(first!.Name, 'helloworld-http-a1b2');
    assert.equal(second!.Name, 'helloworld-http-a1b2c', 'the first choice was taken by a live task: one more character of the ID');
    assert.equal((await inspectContainer(first!.ContainerID))?.Name, '/helloworld-http-a1b2');
  });

  await t.test('cube status fits 120 columns, with 12-character IDs; --no-trunc shows them whole', { timeout: 30_000 }, async () => {
    const status = await cube(['status'], env());
    ok(status, 'cube status');
    const lines = status.stdout.trimEnd().split('\n');
    for (const line of lines) assert.ok([...line].length <= 120, `${[...line].length} columns: ${line}`);
    assert.match(lines[1]!, /^a1b2c3d4-000 {3}helloworld-http-a1b2 /);
    assert.doesNotMatch(status.stdout, /a1b2c3d4-0000-4000/, 'no whole ID');
    const whole = await cube(['status', '--no-trunc'], env());
    assert.match(whole.stdout, /^a1b2c3d4-0000-4000-8000-000000000001 +helloworld-http-a1b2 /m);
  });

  await t.test('two live tasks that a word matches: nothing is chosen, and both are listed', { timeout: 30_000 }, async () => {
    const status = await cube(['status', 'a1b2'], env());
    assert.equal(status.code, 1, status.stderr);
    noStack(status);
    assert.match(status.stderr, /^cube status: "a1b2" matches 2 live tasks; give more of the ID:\n/);
    assert.match(status.stderr, new RegExp(`\\n {2}helloworld-http-a1b2 {3}a1b2c3d4-000 {2}Running {2}on ${worker}\\n`));
    assert.match(status.stderr, new RegExp(`\\n {2}helloworld-http-a1b2c {2}a1b2c3d4-000 {2}Running {2}on ${worker}\\n$`));
    const stop = await cube(['stop', 'a1b2'], env());
    assert.equal(stop.code, 1, 'nothing is stopped by accident');
    assert.ok((await tasks()).every((task) => task.StateName === 'running'));
  });

  await t.test('status, logs, restart and stop take the live task named web when a Completed one has the name too', { timeout: 90_000 }, async () => {
    // It prints its container's hostname (the start of the container ID): which task's logs cube logs read.
    const web = { Name: 'web', Image: 'timboring/echo-server', Cmd: ['sh', '-c', 'echo "hello from $(hostname)"; sleep 600'] };
    await run(web);
    ok(await cube(['stop', 'web'], env()), 'cube stop web');
    await run(web);
    const [done, live] = (await tasks()).filter((task) => task.Name === 'web');
    assert.equal(done!.StateName, 'completed');
    assert.equal(live!.StateName, 'running');

    const status = await cube(['status', 'web'], env());
    ok(status, 'cube status web');
    assert.match(status.stdout, new RegExp(`^ID +${live!.ID}$`, 'm'));
    const logs = await cube(['logs', 'web'], env());
    ok(logs, 'cube logs web');
    assert.equal(logs.stdout, `hello from ${live!.ContainerID.slice(0, 12)}\n`);
    const events = await cube(['events', '--task', 'web'], env());
    ok(events, 'cube events --task web');
    assert.match(events.stdout, /^\d\d:\d\d:\d\d {2}web {2,}Started /m, 'events name the task');
    assert.doesNotMatch(events.stdout, new RegExp(done!.ID.slice(0, 8)));

    const restart = await cube(['restart', 'web'], env());
    ok(restart, 'cube restart web');
    const after = await tasks();
    assert.notEqual(after.find((task) => task.ID === live!.ID)!.ContainerID, live!.ContainerID, 'the live one has a new container');
    assert.equal(after.find((task) => task.ID === done!.ID)!.StateName, 'completed');

    const stop = await cube(['stop', 'web'], env());
    ok(stop, 'cube stop web');
    assert.equal(stop.stdout, `stopped task ${live!.ID}\n`);
    const both = await cube(['status', 'web'], env());
    assert.equal(both.code, 1);
    assert.match(both.stderr, /"web" matches 2 tasks, none of them live; give more of the ID:\n {2}web {2}\S{12} {2}Completed/);
  });

  await t.test('cube rm refuses a live task, removes a finished one from GET /tasks, also after the manager restarts', { timeout: 90_000 }, async () => {
    const live = await cube(['rm', 'helloworld-http-a1b2'], env());
    assert.equal(live.code, 1);
    noStack(live);
    assert.match(
      live.stderr,
      /^cube rm: task helloworld-http-a1b2 \(a1b2c3d4-000\) is Running: cube rm removes finished tasks only; stop it first with: cube stop a1b2c3d4-000\n$/,
    );

    const [done, other] = (await tasks()).filter((task) => task.Name === 'web');
    const removed = await cube(['rm', done!.ID.slice(0, 12)], env());
    ok(removed, 'cube rm');
    assert.equal(removed.stdout, `removed task web (${done!.ID})\n`);
    assert.deepEqual(
      (await tasks()).filter((task) => task.Name === 'web').map((task) => task.ID),
      [other!.ID],
    );
    assert.equal((await get(`${running.url}/tasks/${done!.ID}`)).status, 404);

    await running.stop('SIGTERM');
    running = await start();
    const restored = await tasks();
    assert.ok(!restored.some((task) => task.ID === done!.ID), 'still gone after a restart');
    assert.ok(
      restored.some((task) => task.ID === other!.ID),
      'the other finished task is still there: rm removed the one it named',
    );
    const resolvedNow = await cube(['status', 'web'], env());
    ok(resolvedNow, 'one task named web left');
  });
});
