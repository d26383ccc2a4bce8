// `cube start --runtime fake` as a person runs it (issue 13): the FAKE runtime
// simulates containers (nothing runs) behind the same API and CLI. A task runs
// until stopped whatever its Cmd, but for ["exit", "N"], which exits with N
// (and the restart policy follows); health checks reach the fake's loopback
// server; a Cmd the fake cannot read fails its task with the reason; and
// `cube status` pages through the tasks and says how many were pruned after `cube gc`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Task } from '../../src/vocabulary/task.js';
import { cube } from '../helpers/cube-cli.js';
import { spawnCube } from '../helpers/cube-process.js';
import { del, post } from '../helpers/http.js';
import { untilView } from '../helpers/watch.js';

test('cube start --runtime fake runs simulated containers through the real API and CLI', { timeout: 60_000 }, async (t) => {
  const started = await spawnCube(['start', '--runtime', 'fake', '--manager-port', '0', '--worker-port', '0'], {
    CUBE_RESTART_DELAY: '10ms',
    CUBE_RESTART_LIMIT: '2',
    CUBE_HEALTH_INTERVAL: '50ms',
    CUBE_RETENTION_MAX: '3',
  });
  t.after(() => started.stop());
  const url = started.url;
  assert.match(started.output(), /with a FAKE runtime \(CUBE_RUNTIME=fake\): containers are simulated, nothing runs/, 'the start line says the engine is fake');

  const id = async (body: object) => (await post<Task>(`${url}/tasks`, { Task: body })).body.ID;
  const plain = await id({ Name: 'fake-web', Image: 'anything/at-all' });
  const crash = await id({ Name: 'fake-crash', Image: 'img', Cmd: ['exit', '3'] });
  const healthy = await id({ Name: 'fake-ok', Image: 'img', ExposedPorts: { '7777/tcp': {} }, HealthCheck: '/health' });
  const sick = await id({ Name: 'fake-sick', Image: 'img', ExposedPorts: { '7777/tcp': {} }, HealthCheck: '/healthfail' });
  const bad = await post<Task>(`${url}/tasks`, { Task: { Name: 'fake-bad', Image: 'img', Cmd: ['exit', 'soon'] } });
  assert.equal(bad.status, 201, 'the manager takes it: only the fake engine cannot read its Cmd');

  const view = await untilView(url, (v) => {
    const of = (x: string) => v.tasks.find((task) => task.ID === x);
    return (
      of(plain)?.State === 2 &&
      of(crash)?.StateName === 'failed' &&
      of(crash)?.RestartCount === 2 &&
      of(sick)?.StateName === 'failed' &&
      of(bad.body.ID)?.StateName === 'failed' &&
      of(healthy)?.Events.some((e) => e.Type === 'Healthy') === true
    );
  });
  const of = (x: string) => view.tasks.find((task) => task.ID === x)!;
  assert.match(of(plain).ContainerID, /^[0-9a-f]{64}$/, "a simulated container, with an ID like Docker's");
  assert.equal(of(crash).ExitCode, 3);
  assert.match(of(crash).Events.at(-1)!.Message, /restart limit reached/);
  assert.equal(of(healthy).State, 2);
  assert.ok(
    of(sick).Events.some((e) => e.Type === 'Unhealthy' && /500/.test(e.Message)),
    JSON.stringify(of(sick).Events),
  );
  assert.ok(
    of(bad.body.ID).Events.some((e) => /the fake runtime reads Cmd \["exit", "N"\] with N a whole number 0…255, got \["exit","soon"\]/.test(e.Message)),
    JSON.stringify(of(bad.body.ID).Events),
  );

  assert.equal((await del(`${url}/tasks/${plain}`)).status, 204);
  const status = await cube(['status'], { CUBE_MANAGER: url });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /fake-web\s.*Completed/);
  assert.match(status.stdout, /fake-ok\s.*Running/);
  const env = { CUBE_MANAGER: url };
  const gc = await cube(['gc'], env);
  assert.equal(gc.code, 0, gc.stderr);
  // Four finished, three kept: the oldest went now, or at the sweep of the first tick.
  assert.match(gc.stdout, /pruned [01] finished task\(s\); 3 kept; 1 pruned in all/);

  const all = await cube(['status', '--json'], env);
  const names = (JSON.parse(all.stdout) as Task[]).map((x) => x.Name);
  assert.equal(names.length, 4, 'the running one and three finished ones');
  const first = await cube(['status', '--limit', '2'], env);
  assert.equal(first.code, 0, first.stderr);
  for (const name of names.slice(0, 2)) assert.match(first.stdout, new RegExp(name));
  assert.match(first.stdout, /1 finished task\(s\) pruned so far/);
  const token = /more: cube status --limit 2 --continue (\S+)/.exec(first.stdout)?.[1];
  assert.ok(token, first.stdout);
  const next = await cube(['status', '--limit', '2', '--continue', token], env);
  for (const name of names.slice(2)) assert.match(next.stdout, new RegExp(name));
  for (const name of names.slice(0, 2)) assert.doesNotMatch(next.stdout, new RegExp(name));
  assert.doesNotMatch(next.stdout, /more:/, 'the last page');
});
