// Faults that combine (issue "No task lost, no stop undone"), with real
// processes, the real engine and real HTTP: each test does what was seen to
// lose a task, undo a stop or end a process, and checks that it no longer does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { parseDuration } from '../../src/vocabulary/duration.js';
import { readEvents } from '../../src/http/sse-client.js';
import type { Task } from '../../src/vocabulary/task.js';
import { spawnCube } from '../helpers/cube-process.js';
import { dockerCli, inspectContainer, runningCopiesOf, untilEngine } from '../helpers/docker.js';
import { del, get, post } from '../helpers/http.js';
import { env, hello, lab, running, runningOnce } from '../helpers/lab.js';
import { untilView } from '../helpers/watch.js';

/** Every state each task of a manager went through, as its event stream told them, until `stop`. */
function followStates(url: string) {
  const states = new Map<string, string[]>();
  const abort = new AbortController();
  const seen = (task: Task) => {
    const list = states.get(task.ID) ?? [];
    if (list.at(-1) !== task.StateName) list.push(task.StateName);
    states.set(task.ID, list);
  };
  const done = (async () => {
    try {
      const response = await fetch(`${url}/events`, { signal: abort.signal });
      for await (const { type, data } of readEvents(response.body!)) {
        if (type === 'snapshot') (data.tasks as Task[]).forEach(seen);
        if (type === 'task.updated') seen(data.task as Task);
      }
    } catch {
      // stopped, or the manager went away
    }
  })();
  return {
    states,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

test(
  'case 1: a worker frozen and thawed, then the worker holding every task killed with -9 and back once it is down: every task runs once, none is ever Completed',
  { timeout: 90_000 },
  async (t) => {
    const cube = lab(t);
    const settings = env(cube.dir, { CUBE_HEARTBEAT_TTL: '4s' });
    const a = await cube.worker(`c1a-${nanoid(5)}`, settings);
    const b = await cube.worker(`c1b-${nanoid(5)}`, settings);
    const manager = await cube.manager([a.address, b.address], settings, '0', '--scheduler', 'roundrobin');
    await untilView(manager.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up'));
    const states = followStates(manager.url);
    t.after(states.stop);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await post<Task>(`${manager.url}/tasks`, hello(`${a.name}-${i}`))).body.ID);
    await runningOnce(manager.url, ids);

    // A is frozen: its two tasks move to B. Thawed, its copies are stopped.
    a.process.child.kill('SIGSTOP');
    await untilView(manager.url, (v) => running(ids)(v) && ids.every((id) => v.tasks.find((task) => task.ID === id)!.Worker === b.address));
    a.process.child.kill('SIGCONT');
    await untilView(manager.url, (v) => v.nodes.every((n) => n.State === 'up'));
    await runningOnce(manager.url, ids);

    // B, which holds all four, is killed with -9 and comes back on its address once the manager has taken it for down.
    await b.process.stop('SIGKILL');
    await untilView(manager.url, (v) => v.nodes.find((n) => n.Address === b.address)?.State === 'down');
    await cube.worker(b.name, settings, b.address.split(':')[1]!);
    await untilView(manager.url, (v) => v.nodes.every((n) => n.State === 'up'));
    await runningOnce(manager.url, ids);

    await states.stop();
    for (const id of ids) assert.ok(!states.states.get(id)!.includes('completed'), `task ${id} was never Completed: ${states.states.get(id)!.join(' → ')}`);
    const histories = (await get<Task[]>(`${manager.url}/tasks`)).body.filter((task) => ids.includes(task.ID)).map((task) => task.Events.map((e) => e.Type));
    const moved = histories.filter((types) => types.includes('Rescheduling'));
    assert.ok(moved.length >= 2, 'the moves are in the histories');
    for (const types of moved)
      assert.ok(types.lastIndexOf('Placed') > types.indexOf('Rescheduling'), `a move is followed by its placement: ${types.join(', ')}`);
  },
);

test('case 2: a DELETE sent right after its POST, 0–290 ms later, is never undone', { timeout: 90_000 }, async (t) => {
  const cube = lab(t);
  const settings = env(cube.dir);
  const worker = await cube.worker(`c2-${nanoid(5)}`, settings);
  const manager = await cube.manager([worker.address], settings);
  await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
  const states = followStates(manager.url);
  t.after(states.stop);

  const stopped: string[] = [];
  await Promise.all(
    // 20 tasks: with the delays below, 10 stops within 30 ms of their run, the rest spread up to 290 ms.
    Array.from({ length: 20 }, async (_, i) => {
      const id = (await post<Task>(`${manager.url}/tasks`, hello(`${worker.name}-${i}`))).body.ID;
      // Half of them within 30 ms, when the stop is most likely to overtake the run, the rest up to 290 ms.
      await new Promise((resolve) => setTimeout(resolve, i % 2 === 0 ? (i * 7) % 29 : (i * 37) % 291));
      const answer = await del(`${manager.url}/tasks/${id}`);
      assert.ok([202, 204].includes(answer.status), `DELETE answered ${answer.status}`);
      stopped.push(id);
    }),
  );
  await untilView(manager.url, (v) => stopped.every((id) => v.tasks.find((task) => task.ID === id)?.State === 3));
  // Late runs arrive within milliseconds; two reconcile periods (CUBE_RECONCILE_INTERVAL) give every one a chance
  // to undo a stop. Nothing happening has no event to wait for, so this is a window, not a wait.
  await new Promise((resolve) => setTimeout(resolve, 2 * parseDuration(settings.CUBE_RECONCILE_INTERVAL)! + 500));
  await untilEngine(
    async () => (await Promise.all(stopped.map(runningCopiesOf))).every((copies) => copies.length === 0),
    20_000,
    'no container of a stopped task',
  );
  await states.stop();
  const tasks = (await get<Task[]>(`${manager.url}/tasks`)).body;
  for (const id of stopped) {
    const seen = states.states.get(id) ?? [];
    assert.equal(seen.indexOf('completed'), seen.length - 1, `task ${id} stayed Completed once it was: ${seen.join(' → ')}`);
    assert.equal(tasks.find((task) => task.ID === id)!.State, 3);
  }
});

test(
  "case 3: a manager restarted without one of its workers places that worker's tasks again, and a DELETE of one does not end it",
  { timeout: 60_000 },
  async (t) => {
    const cube = lab(t);
    const settings = env(cube.dir, { CUBE_HEARTBEAT_TTL: '30s' });
    const kept = await cube.worker(`c3k-${nanoid(5)}`, settings);
    const left = await cube.worker(`c3l-${nanoid(5)}`, settings);
    const first = await cube.manager([kept.address, left.address], settings, '0', '--scheduler', 'roundrobin');
    await untilView(first.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up'));
    const ids = [
      (await post<Task>(`${first.url}/tasks`, hello(`${kept.name}-a`))).body.ID,
      (await post<Task>(`${first.url}/tasks`, hello(`${kept.name}-b`))).body.ID,
    ];
    const placed = await untilView(first.url, running(ids));
    const onLeft = ids.find((id) => placed.tasks.find((task) => task.ID === id)!.Worker === left.address)!;
    await first.stop();

    const second = await cube.manager([kept.address], settings, new URL(first.url).port);
    await runningOnce(second.url, ids);
    const moved = (await get<Task>(`${second.url}/tasks/${onLeft}`)).body;
    assert.equal(moved.Worker, kept.address);
    assert.ok(moved.Events.some((e) => e.Type === 'Rescheduling' && e.Message.includes(`worker ${left.address} is not one of this manager's workers`)));
    assert.equal((await del(`${second.url}/tasks/${onLeft}`)).status, 204);
    assert.equal(second.child.exitCode, null, 'the manager still runs');
    assert.equal((await get(`${second.url}/tasks`)).status, 200);
  },
);

/** A worker that speaks Cube's protocol from a script: whatever the test makes it answer, on every connection. */
async function scriptedWorker(answer: {
  tasks: () => string;
  events: (write: (event: string, data: string) => void, end: () => void) => void;
}): Promise<{ address: string; server: Server }> {
  const server = createServer((request, response) => {
    if (request.url === '/tasks' && request.method === 'GET') return response.writeHead(200, { 'content-type': 'application/json' }).end(answer.tasks());
    if (request.url?.startsWith('/events')) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      return answer.events(
        (event, data) => response.write(`event: ${event}\ndata: ${data}\n\n`),
        () => response.end(),
      );
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { address: `127.0.0.1:${port}`, server };
}

test(
  'case 4: a worker that answers null, tasks without Events, then garbage never ends the manager; it is suspect, with the field named',
  { timeout: 60_000 },
  async (t) => {
    const cube = lab(t);
    const stats = JSON.stringify({
      stats: {
        Worker: 'w',
        MemoryTotal: 8e9,
        MemoryAvailable: 4e9,
        DiskTotal: 1e11,
        DiskFree: 5e10,
        CpuUsage: 0.1,
        CpuCount: 2,
        LoadAverage: [0, 0, 0],
        TaskCount: 0,
        Runtime: 'up',
        RuntimeProblem: '',
      },
    });
    const bare = { ID: 'a3d1c1f2-0c7e-4e8f-9a55-2f7e1c0b9d11', Name: 'bare', State: 2, Image: 'strm/helloworld-http', ContainerID: 'c0ffee' };
    const garbage = JSON.stringify({ tasks: [{ ID: 5, State: 'running' }] });
    let garbled = false;
    let hangUp = () => {};
    const worker = await scriptedWorker({
      tasks: () => (garbled ? garbage.slice('{"tasks":'.length, -1) : 'null'),
      events: (write, end) => {
        hangUp = end;
        if (garbled) return write('worker.tasks', garbage);
        write('worker.tasks', JSON.stringify({ tasks: null }));
        write('worker.stats', stats);
        write('task.updated', JSON.stringify({ task: bare }));
      },
    });
    t.after(() => void worker.server.close());
    const manager = await cube.manager([worker.address], env(cube.dir));
    const adopted = await untilView(manager.url, (v) => v.nodes[0]?.State === 'up' && v.tasks.some((task) => task.ID === bare.ID));
    assert.equal(adopted.tasks.find((task) => task.ID === bare.ID)!.State, 2, 'a task with no Events, StateName or Env is read');

    garbled = true;
    hangUp(); // the manager reconnects, and hears garbage from now on
    const suspect = await untilView(manager.url, (v) => v.nodes[0]?.State === 'suspect' && /cannot read/.test(v.nodes[0].Problem));
    assert.match(suspect.nodes[0].Problem, /tasks\[0\]\.ID: expected a string, got 5/);
    assert.equal(manager.child.exitCode, null, 'the manager still runs');
    const node = execFileSync(process.execPath, ['bin/cube.js', 'node', '-m', manager.url], { encoding: 'utf8' });
    assert.match(node, /suspect/);
    assert.match(node, /tasks\[0\]\.ID/);
  },
);

test(
  'case 5: on a full disk a POST and a DELETE answer 503 and change nothing; reads go on; Cube recovers by itself; nothing answered 201 is lost',
  { timeout: 60_000 },
  async (t) => {
    const cube = lab(t);
    const disk = mkdtempSync(join(tmpdir(), 'cube-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]);
    t.after(() => {
      execFileSync('umount', ['-l', disk]);
      rmSync(disk, { recursive: true, force: true });
    });
    const worker = await cube.worker(`c5-${nanoid(5)}`, env(cube.dir));
    const settings = env(disk);
    let manager = await cube.manager([worker.address], settings);
    await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
    const kept = (await post<Task>(`${manager.url}/tasks`, hello(`${worker.name}-kept`))).body.ID;
    await untilView(manager.url, running([kept]));

    const filler = join(disk, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', 'count=64'], { stdio: 'ignore' });
    } catch {
      // dd stops when the disk is full: that is the point
    }
    const refused = await post(`${manager.url}/tasks`, hello(`${worker.name}-refused`));
    assert.equal(refused.status, 503);
    assert.match(refused.body.Message, /could not store the new task .*disk is full/);
    const stop = await del(`${manager.url}/tasks/${kept}`);
    assert.equal(stop.status, 503, 'the stop is not stored, so it is not done');
    assert.equal((await get<Task>(`${manager.url}/tasks/${kept}`)).body.State, 2, 'the task still runs');
    assert.equal((await runningCopiesOf(kept)).length, 1);
    assert.equal((await get<Task[]>(`${manager.url}/tasks`)).status, 200, 'reads go on');
    assert.ok(!(await get<Task[]>(`${manager.url}/tasks`)).body.some((task) => task.Name === `${worker.name}-refused`), 'what was refused is not listed');

    rmSync(filler);
    const accepted = await post<Task>(`${manager.url}/tasks`, hello(`${worker.name}-after`));
    assert.equal(accepted.status, 201, 'the disk has room again: accepted');
    await untilView(manager.url, running([accepted.body.ID]));
    await manager.stop('SIGKILL');
    manager = await cube.manager([worker.address], settings, new URL(manager.url).port);
    const listed = (await get<Task[]>(`${manager.url}/tasks`)).body.map((task) => task.ID);
    assert.ok(listed.includes(kept) && listed.includes(accepted.body.ID), 'every task answered 201 is there after a kill -9');
    assert.equal((await del(`${manager.url}/tasks/${kept}`)).status, 204);
  },
);

test('case 6: a second manager on the same data dir refuses to start, naming the pid that holds it', { timeout: 60_000 }, async (t) => {
  const cube = lab(t);
  const first = await cube.manager(['127.0.0.1:1'], env(cube.dir));
  await assert.rejects(
    spawnCube(['manager', '--port', '0', '--workers', '127.0.0.1:1'], env(cube.dir)),
    (error: Error) => error.message.includes(`in use by pid ${first.child.pid}`) && /CUBE_DATA_DIR/.test(error.message),
  );
  assert.equal((await get(`${first.url}/tasks`)).status, 200, 'the first one goes on');
});

test("case 7: two installations on one engine with the same task ID and Name: neither touches the other's container", { timeout: 60_000 }, async (t) => {
  const cube = lab(t);
  const [one, two] = [mkdtempSync(join(tmpdir(), 'cube-one-')), mkdtempSync(join(tmpdir(), 'cube-two-'))];
  const workerOne = await cube.worker(`c7-${nanoid(5)}`, env(one));
  const workerTwo = await cube.worker(`c7-${nanoid(5)}`, env(two));
  const managerOne = await cube.manager([workerOne.address], env(one));
  const managerTwo = await cube.manager([workerTwo.address], env(two));
  await untilView(managerOne.url, (v) => v.nodes[0]?.State === 'up');
  await untilView(managerTwo.url, (v) => v.nodes[0]?.State === 'up');
  const task = { Task: { ID: `same-${nanoid(6)}`, Name: `same-${nanoid(6)}`, Image: 'strm/helloworld-http', RestartPolicy: 'always' } };
  await post(`${managerOne.url}/tasks`, task);
  const first = (await untilView(managerOne.url, running([task.Task.ID]))).tasks.find((x) => x.ID === task.Task.ID)!.ContainerID;

  await post(`${managerTwo.url}/tasks`, task);
  const refused = await untilView(
    managerTwo.url,
    (v) => (v.tasks.find((x) => x.ID === task.Task.ID)?.Events.filter((e) => /another Cube installation/.test(e.Message)).length ?? 0) >= 2,
  );
  assert.ok(refused.tasks.length > 0);
  const container = await inspectContainer(task.Task.Name);
  assert.equal(container?.Id, first, "the first installation's container is the same one");
  assert.equal(container?.State.Running, true);
  assert.equal((await runningCopiesOf(task.Task.ID)).length, 1);
});

test(
  'case 8: a harmless signal is not a stop, and a pause is a pause: unless-stopped restarts a later crash; pause and unpause are told as such',
  { timeout: 60_000 },
  async (t) => {
    const cube = lab(t);
    const worker = await cube.worker(`c8-${nanoid(5)}`, env(cube.dir));
    const manager = await cube.manager([worker.address], env(cube.dir));
    await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
    const name = `${worker.name}-reload`;
    const body = {
      Task: {
        Name: name,
        Image: 'strm/helloworld-http',
        RestartPolicy: 'unless-stopped',
        Cmd: ['sh', '-c', "trap 'echo reloaded' HUP; while [ ! -f /tmp/crash ]; do sleep 0.1; done; exit 3"],
      },
    };
    const id = (await post<Task>(`${manager.url}/tasks`, body)).body.ID;
    await untilView(manager.url, running([id]));

    await dockerCli('pause', name);
    await untilView(manager.url, (v) => v.tasks.find((x) => x.ID === id)!.Events.at(-1)?.Type === 'Paused');
    await dockerCli('unpause', name);
    const unpaused = await untilView(manager.url, (v) => v.tasks.find((x) => x.ID === id)!.Events.at(-1)?.Type === 'Unpaused');
    assert.equal(unpaused.tasks.find((x) => x.ID === id)!.State, 2, 'still Running, never "exited with code 0"');

    await dockerCli('kill', '-s', 'HUP', name);
    await dockerCli('exec', name, 'touch', '/tmp/crash');
    const restarted = await untilView(manager.url, (v) => (v.tasks.find((x) => x.ID === id)?.RestartCount ?? 0) >= 1 && running([id])(v));
    const history = restarted.tasks.find((x) => x.ID === id)!.Events;
    const crash = history.find((e) => e.Type === 'Terminated')!;
    assert.equal(crash.Message, 'exited with code 3', 'its own crash, not "stopped through Docker"');
  },
);

test(
  'case 9: a POST with a changed definition runs it as a new placement (Updated), and a restart racing a DELETE is never answered 201 for a task that ends Completed',
  { timeout: 60_000 },
  async (t) => {
    const cube = lab(t);
    const worker = await cube.worker(`c9-${nanoid(5)}`, env(cube.dir));
    const manager = await cube.manager([worker.address], env(cube.dir));
    await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
    const body = { Task: { ID: `upd-${nanoid(6)}`, Name: `${worker.name}-upd`, Image: 'strm/helloworld-http', Env: ['COLOUR=blue'] } };
    await post(`${manager.url}/tasks`, body);
    const before = (await untilView(manager.url, running([body.Task.ID]))).tasks.find((x) => x.ID === body.Task.ID)!;

    const changed = await post<Task>(`${manager.url}/tasks`, { Task: { ...body.Task, Env: ['COLOUR=green'] } });
    assert.equal(changed.status, 201, 'taken by its worker');
    assert.notEqual(changed.body.Placement, before.Placement, 'a new placement');
    const after = (
      await untilView(manager.url, (v) => v.tasks.some((x) => x.ID === body.Task.ID && x.State === 2 && x.ContainerID !== before.ContainerID))
    ).tasks.find((x) => x.ID === body.Task.ID)!;
    assert.deepEqual(after.Env, ['COLOUR=green']);
    assert.ok((await inspectContainer(after.ContainerID))!.Config.Env.includes('COLOUR=green'), 'the container runs the new definition');
    assert.ok(after.Events.some((e) => e.Type === 'Updated' && /Env changed/.test(e.Message)));

    // A restart racing a DELETE: answered 201 only when the worker took the new placement.
    const same = { Task: { ...body.Task, Env: ['COLOUR=green'] } };
    const [restart, stop] = await Promise.all([post<Task>(`${manager.url}/tasks`, same), del(`${manager.url}/tasks/${body.Task.ID}`)]);
    assert.ok([202, 204].includes(stop.status), `DELETE answered ${stop.status}`);
    assert.ok([201, 202, 409].includes(restart.status), `restart answered ${restart.status}`);
    const final = (await untilView(manager.url, (v) => v.tasks.find((x) => x.ID === body.Task.ID)!.State === 3)).tasks.find((x) => x.ID === body.Task.ID)!;
    if (restart.status === 201) {
      const placement = restart.body.Placement;
      assert.ok(
        final.Events.some((e) => e.Message.includes(`placement ${placement}`) && e.Type === 'Restart Signaled'),
        `the worker took the restart it was answered 201 for (placement ${placement}): ${final.Events.map((e) => `${e.Type}: ${e.Message}`).join(' | ')}`,
      );
    }
    await untilEngine(async () => (await runningCopiesOf(body.Task.ID)).length === 0, 20_000, 'the stopped task to have no container');
  },
);

test(
  'case 10: a worker restarted while a crash-looping task waits honours the wait: one restart per due time, not one per start',
  { timeout: 60_000 },
  async (t) => {
    const cube = lab(t);
    const settings = env(cube.dir, { CUBE_RESTART_DELAY: '5s', CUBE_RESTART_DELAY_MAX: '5s', CUBE_HEARTBEAT_TTL: '30s' });
    const worker = await cube.worker(`c10-${nanoid(5)}`, settings);
    const manager = await cube.manager([worker.address], settings);
    await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
    const body = { Task: { Name: `${worker.name}-loop`, Image: 'strm/helloworld-http', Cmd: ['sh', '-c', 'sleep 1; exit 1'] } };
    const id = (await post<Task>(`${manager.url}/tasks`, body)).body.ID;
    const waiting = (await untilView(manager.url, (v) => v.tasks.find((x) => x.ID === id)?.StateName === 'restarting')).tasks.find((x) => x.ID === id)!;
    assert.notEqual(waiting.RestartDue, '0001-01-01T00:00:00Z', 'the due time is recorded');

    for (let i = 0; i < 2; i++) {
      await worker.process.stop('SIGKILL');
      worker.process = (await cube.worker(worker.name, settings, worker.address.split(':')[1]!)).process;
    }
    const again = (
      await untilView(manager.url, (v) => v.tasks.find((x) => x.ID === id)!.RestartCount >= 1 && v.tasks.find((x) => x.ID === id)!.State === 2)
    ).tasks.find((x) => x.ID === id)!;
    assert.equal(again.RestartCount, 1, 'two worker restarts did not skip the wait');
    const started = again.Events.filter((e) => e.Type === 'Started').at(-1)!;
    assert.ok(Date.parse(started.Time) >= Date.parse(waiting.RestartDue) - 1000, `restarted at ${started.Time}, due ${waiting.RestartDue}`);
  },
);

test(
  'case 11: a burst longer than the reconcile period fails no healthy task: a listing older than what a task knows is not applied',
  { timeout: 120_000 },
  async (t) => {
    const cube = lab(t);
    const settings = env(cube.dir, { CUBE_RECONCILE_INTERVAL: '100ms', CUBE_HEARTBEAT_TTL: '30s' });
    const worker = await cube.worker(`c11-${nanoid(5)}`, settings);
    const manager = await cube.manager([worker.address], settings);
    await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
    const ids = await Promise.all(Array.from({ length: 60 }, async (_, i) => (await post<Task>(`${manager.url}/tasks`, hello(`${worker.name}-${i}`))).body.ID));
    const view = await untilView(manager.url, running(ids), 100_000);
    const failed = view.tasks.filter((task) => ids.includes(task.ID) && (task.RestartCount > 0 || task.Events.some((e) => e.Type === 'Terminated')));
    assert.deepEqual(
      failed.map((task) => `${task.Name}: ${task.Events.map((e) => e.Message).join('; ')}`),
      [],
    );
  },
);
