// The worker API against the real Docker engine, over real HTTP on loopback:
// docs/spec.md §7's worker scenario, containers that die behind Cube's back, and every
// kind of bad input. Waits react to the worker's updates; nothing sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { dockerCli, docker, inspectContainer, containersOf } from '../helpers/docker.js';
import { del, get, pageWhenServing, post, request } from '../helpers/http.js';
import { testWorker, untilTask } from '../helpers/worker.js';
import { ZERO_TIME, type Task } from '../../src/vocabulary/task.js';
import { example } from '../helpers/examples.js';

const hello = 'strm/helloworld-http';
const event = (task: Partial<Task>) => ({ Task: { Image: hello, ...task } });

test('docs/spec.md §7: a worker alone runs, shows and stops a task, as a user types it', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const body = example('task.json');
  const id = body.Task.ID as string;

  assert.deepEqual((await get(`${worker.url}/tasks`)).body, []);

  const created = await post<Task>(`${worker.url}/tasks`, body);
  assert.equal(created.status, 201);
  assert.equal(created.body.ID, id);
  assert.equal(created.body.ContainerID, '');
  assert.equal(created.body.State, 1);

  await untilTask(worker, id, (task) => task.State === 2);
  const running = await get<Task>(`${worker.url}/tasks/${id}`);
  assert.equal(running.body.State, 2);
  const container = await inspectContainer(running.body.ContainerID);
  assert.ok(container?.State.Running, 'the container runs');
  assert.equal(container.Name, '/test-chapter-5');
  assert.notEqual(running.body.StartTime, ZERO_TIME);
  assert.deepEqual(Object.keys(running.body).slice(0, 5), ['ID', 'ContainerID', 'Name', 'State', 'Image']);

  const listed = await get<Task[]>(`${worker.url}/tasks`);
  assert.deepEqual(
    listed.body.map((task) => [task.ID, task.State]),
    [[id, 2]],
  );

  const deleted = await del(`${worker.url}/tasks/${id}`);
  assert.equal(deleted.status, 204);
  assert.equal(await inspectContainer(running.body.ContainerID), undefined, 'the container is gone');
  const completed = await get<Task>(`${worker.url}/tasks/${id}`);
  assert.equal(completed.body.State, 3);
  assert.notEqual(completed.body.FinishTime, ZERO_TIME);
});

test('a container that stops without Cube asking makes its task Failed within a second, with the exit code', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const cases: { name: string; command: string; exitCode: number }[] = [
    { name: 'docker kill', command: 'kill', exitCode: 137 },
    // The stand-in image traps SIGTERM and exits 0, as a well-behaved server does.
    { name: 'docker stop', command: 'stop', exitCode: 0 },
  ];
  for (const { name, command, exitCode } of cases) {
    const created = await post<Task>(`${worker.url}/tasks`, event({ Name: `exit-${command}` }));
    const running = await untilTask(worker, created.body.ID, (x) => x.State === 2);
    const before = performance.now();
    await dockerCli(command, running.ContainerID);
    const failed = await untilTask(worker, created.body.ID, (x) => x.State === 4);
    const latency = performance.now() - before;
    t.diagnostic(`${name}: Failed ${latency.toFixed(0)} ms after the command returned`);
    assert.ok(latency < 1000, `${name}: noticed in ${latency.toFixed(0)} ms`);
    assert.equal(failed.ExitCode, exitCode, name);
    assert.match(failed.Reason, new RegExp(`exited with code ${exitCode}`));
  }
  // A process that exits by itself: running at first, then ending with code 3.
  const created = await post<Task>(
    `${worker.url}/tasks`,
    event({ Name: 'exit-by-itself', Cmd: ['sh', '-c', 'echo $$ > /tmp/pid; trap "exit 3" USR1; while :; do sleep 0.1; done'] }),
  );
  const running = await untilTask(worker, created.body.ID, (x) => x.State === 2);
  await dockerCli('exec', running.Name, 'sh', '-c', 'kill -USR1 $(cat /tmp/pid)');
  const failed = await untilTask(worker, created.body.ID, (x) => x.State === 4);
  assert.equal(failed.ExitCode, 3);
  assert.match(failed.Reason, /exited with code 3$/);
});

test('bad requests get a clear 4xx and lose nothing; the worker keeps serving', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const kept = await post<Task>(`${worker.url}/tasks`, event({ Name: 'kept' }));
  const cases: [string, unknown, number, RegExp][] = [
    ['malformed JSON', '{"Task": {', 400, /not valid JSON/],
    ['an empty body', '', 400, /body is empty/],
    ['an unknown key', { Task: { Image: hello }, Extra: 1 }, 400, /"Extra" is not a known key/],
    ['an unknown Task key', { Task: { Image: hello, Privileged: true } }, 400, /Task: "Privileged" is not a known key/],
    ['a missing Image', { Task: { Name: 'x1' } }, 400, /Task.Image: required/],
    ['an empty Image', { Task: { Image: '' } }, 400, /Task.Image: required/],
    ['wrong types', { Task: { Image: hello, Memory: '64 megs', Cpu: true } }, 400, /Task.Cpu: expected a number.*Task.Memory: expected an integer/],
    ['a list body', [], 400, /expected a TaskEvent object/],
  ];
  for (const [name, body, status, message] of cases) {
    const reply = await request('POST', `${worker.url}/tasks`, body);
    assert.equal(reply.status, status, name);
    assert.equal(reply.body.HTTPStatusCode, status, name);
    assert.match(reply.body.Message, message, name);
  }
  const unknownGet = await get(`${worker.url}/tasks/no-such-task`);
  assert.equal(unknownGet.status, 404);
  assert.match(unknownGet.body.Message, /no task no-such-task on worker/);
  assert.equal((await del(`${worker.url}/tasks/no-such-task`)).status, 404);
  const wrongMethod = await request('PUT', `${worker.url}/tasks`, {});
  assert.equal(wrongMethod.status, 405);
  assert.match(wrongMethod.body.Message, /allowed: .*POST/);
  const wrongPath = await get(`${worker.url}/nowhere`);
  assert.equal(wrongPath.status, 404);
  assert.match(wrongPath.body.Message, /no route GET \/nowhere/);
  const huge = await request('POST', `${worker.url}/tasks`, JSON.stringify({ Task: { Image: hello, Env: ['A=' + 'x'.repeat(300_000)] } }));
  assert.equal(huge.status, 413);

  const listed = await get<Task[]>(`${worker.url}/tasks`);
  assert.deepEqual(
    listed.body.map((task) => task.ID),
    [kept.body.ID],
    'nothing lost, nothing added',
  );
});

test('an image that does not exist fails the task with the reason', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const created = await post<Task>(`${worker.url}/tasks`, event({ Image: 'cube-test/no-such-image:1', Name: 'no-image' }));
  assert.equal(created.status, 201);
  const failed = await untilTask(worker, created.body.ID, (x) => x.State === 4);
  assert.match(failed.Reason, /image "cube-test\/no-such-image:1" is not on this worker and could not be pulled/);
  assert.match(failed.Reason, /docker load, docker import or docker build/);
  assert.equal((await get(`${worker.url}/tasks`)).status, 200);
});

test('a worker alone names a task POSTed without a Name from its image and ID, unique among its live tasks', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const nameless = (ID: string) => event({ ID, Image: 'cube-test/no-such-image:1' });
  const first = await post<Task>(`${worker.url}/tasks`, nameless('abcd1234-0001'));
  const second = await post<Task>(`${worker.url}/tasks`, nameless('abcd1234-0002'));
  assert.equal(first.body.Name, 'no-such-image-abcd');
  assert.equal(second.body.Name, 'no-such-image-abcd1', 'the first choice is held by a task not Completed');
  await untilTask(worker, first.body.ID, (x) => x.State === 4);
  const again = await post<Task>(`${worker.url}/tasks`, nameless('abcd1234-0001'));
  assert.equal(again.body.Name, 'no-such-image-abcd', 'POSTed again without a Name, it keeps its name');
});

test('a Name taken by a container Cube does not manage fails the task and leaves that container alone', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const name = `foreign-${worker.name.slice(5)}`;
  const foreign = await docker.createContainer({ name, Image: hello });
  t.after(() => foreign.remove({ force: true }));
  const created = await post<Task>(`${worker.url}/tasks`, event({ Name: name }));
  const failed = await untilTask(worker, created.body.ID, (x) => x.State === 4);
  assert.match(failed.Reason, new RegExp(`the container name "${name}" is taken by a container Cube does not manage`));
  assert.match(failed.Reason, new RegExp(`docker rm -f ${name}`));
  assert.ok(await inspectContainer(foreign.id), 'the foreign container is still there');
});

test('a host port that is taken is given up for one Docker picks, and the task says so', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
  t.after(() => blocker.close());
  const taken = String((blocker.address() as { port: number }).port);
  const created = await post<Task>(`${worker.url}/tasks`, event({ Name: 'port-taken', ExposedPorts: { '80/tcp': {} }, PortBindings: { '80/tcp': taken } }));
  const running = await untilTask(worker, created.body.ID, (x) => x.State === 2);
  const bound = running.HostPorts?.['80/tcp']?.[0]?.HostPort;
  assert.ok(bound && bound !== taken, `bound ${bound}, not the taken ${taken}`);
  assert.ok(running.Events.some((e) => e.Message.includes(`host port ${taken} (for 80/tcp) is taken`)));
  assert.match(await pageWhenServing(`http://127.0.0.1:${bound}/`), /Hello from/);
});

test('a repeated POST does not duplicate the container; a POST of a Running task restarts it', { timeout: 60_000 }, async (t) => {
  const worker = await testWorker(t);
  const body = event({ ID: 'same-id', Name: 'same-name' });
  await post(`${worker.url}/tasks`, body);
  await post(`${worker.url}/tasks`, body);
  const first = await untilTask(worker, 'same-id', (x) => x.State === 2);
  assert.equal((await containersOf(worker.name)).length, 1);
  const again = await post<Task>(`${worker.url}/tasks`, body);
  assert.equal(again.status, 201);
  const restarted = await untilTask(worker, 'same-id', (x) => x.State === 2 && x.ContainerID !== first.ContainerID);
  const containers = await containersOf(worker.name);
  assert.deepEqual(
    containers.map((c) => c.Id),
    [restarted.ContainerID],
  );
});
