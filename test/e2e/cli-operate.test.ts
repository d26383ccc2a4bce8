// The everyday verbs as people type them, against a real manager with a real
// Docker worker: `cube logs` (and -f through the manager), `cube restart`,
// `cube events` (and -f), `cube status -w`, the --state/--worker filters and
// -o json of every listing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { nanoid } from 'nanoid';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import type { Task } from '../../src/vocabulary/task.js';
import { cube, root } from '../helpers/cube-cli.js';
import { inspectContainer, removeContainersOf } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';
import { env, lab } from '../helpers/lab.js';
import { createServer, type AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const unique = (what: string) => `${what}-${nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;

async function manager(t: TestContext) {
  const worker = unique('op');
  const running = await startManager({ port: 0, local: [{ port: null, name: worker }], settings: testSettings(), log: silentLog });
  t.after(async () => {
    await running.close();
    await removeContainersOf(worker);
  });
  const address = running.url.replace('http://', '');
  return { url: running.url, worker, env: { CUBE_MANAGER: address } };
}

/** A task that writes a line a tick (and a line on stderr first), running. */
async function ticker(url: string, env: Record<string, string>): Promise<Task> {
  const name = unique('ticker');
  const script = 'echo starting; sleep 0.1; echo "no config, using defaults" >&2; sleep 0.1; i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done';
  const run = await cube(['run', '-f', '-'], env, JSON.stringify({ Name: name, Image: 'timboring/echo-server', Cmd: ['sh', '-c', script] }));
  assert.equal(run.code, 0, run.stderr);
  return (await get<Task[]>(`${url}/tasks`)).body.find((task) => task.Name === name)!;
}

/** A long-running cube command: what it printed so far, and a wait for a line. */
function follow(t: TestContext, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['bin/cube.js', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  child.stdout!.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), wake()));
  child.stderr!.on('data', (chunk: Buffer) => ((stderr += chunk.toString()), wake()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (wake(), resolve(code))));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    /** Resolves once `done` holds, checked on each output; fails after 30 s, saying what was printed. */
    async until(done: () => boolean) {
      const deadline = setTimeout(wake, 30_000);
      const started = Date.now();
      try {
        while (!done()) {
          if (child.exitCode !== null) assert.fail(`cube ${args.join(' ')} exited with ${child.exitCode}:\n${stdout}\n${stderr}`);
          if (Date.now() - started >= 30_000) assert.fail(`cube ${args.join(' ')} did not print what was awaited in 30 s:\n${stdout}\n${stderr}`);
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      } finally {
        clearTimeout(deadline);
      }
    },
    async interrupt() {
      child.kill('SIGINT');
      return exited;
    },
    exited: () => exited,
  };
  // A test that fails half-way leaves no process behind.
  t.after(() => child.kill('SIGKILL'));
}

test('cube logs prints stdout and stderr apart; -f follows through the manager until Ctrl-C', { timeout: 60_000 }, async (t) => {
  const { url, env } = await manager(t);
  const task = await ticker(url, env);
  const following = follow(t, ['logs', '-f', task.ID], env);
  await following.until(() => /^tick 3$/m.test(following.stdout()));
  assert.match(following.stdout(), /^starting\ntick 1\ntick 2\ntick 3\n/, 'from the start, each line as the container writes it');
  assert.equal(following.stderr(), 'no config, using defaults\n', 'stderr on stderr');
  assert.equal(await following.interrupt(), 0, 'Ctrl-C ends a follow, exit 0');

  const all = await cube(['logs', task.Name], env);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /^starting\ntick 1\ntick 2\ntick 3\n/);
  assert.equal(all.stderr, 'no config, using defaults\n');
  const tail = await cube(['logs', '--tail', '1', '-t', task.ID.slice(0, 8)], env);
  assert.match(tail.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z tick \d+\n$/, 'one line, with its time');

  const missing = await cube(['logs', 'no-such-task'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^cube logs: no task "no-such-task"/);
  assert.equal((await cube(['stop', task.ID], env)).code, 0);
  const gone = await cube(['logs', task.ID], env);
  assert.equal(gone.code, 1);
  assert.equal(
    gone.stderr,
    `cube logs: task ${task.ID} is completed: its container was removed, and its output with it; Cube keeps no logs of a stopped task\n`,
  );
});

test('cube restart runs a task again in a new container; a Completed task is final', { timeout: 60_000 }, async (t) => {
  const { url, env } = await manager(t);
  const task = await ticker(url, env);
  const restarted = await cube(['restart', task.Name], env);
  assert.equal(restarted.code, 0, restarted.stderr);
  const after = (await get<Task>(`${url}/tasks/${task.ID}`)).body;
  assert.equal(after.State, 2);
  assert.notEqual(after.ContainerID, task.ContainerID, 'a new container');
  assert.equal(await inspectContainer(task.ContainerID), undefined, 'the old one is gone');
  assert.match(
    restarted.stdout,
    new RegExp(`^task ${task.ID} is running on worker ${after.Worker} \\(container ${after.ContainerID.slice(0, 12)}(, ports .+)?\\)\n$`),
  );
  assert.doesNotMatch(restarted.stderr, /Received/, 'only what happened since');

  assert.equal((await cube(['stop', task.ID], env)).code, 0);
  const final = await cube(['restart', task.ID], env);
  assert.equal(final.code, 1);
  assert.equal(final.stderr, `cube restart: task ${task.ID} is completed, which is final; run it again under a new ID with cube run -f FILE\n`);
});

test('cube events lists what happened, filters by task, prints JSON lines, and follows', { timeout: 60_000 }, async (t) => {
  const { url, env, worker } = await manager(t);
  const task = await ticker(url, env);
  const listed = await cube(['events', '--task', task.Name], env);
  assert.equal(listed.code, 0, listed.stderr);
  const types = listed.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(/\s{2,}/)[2]);
  assert.deepEqual(types, ['Received', 'Placed', 'Scheduled', 'Started']);
  assert.match(listed.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d {2}${task.Name} +Placed +placed on worker ${worker}`, 'm'));
  const json = await cube(['events', '-o', 'json'], env);
  const entries = json.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { Type: string; Task?: string; Worker?: string });
  assert.ok(
    entries.some((e) => e.Type === 'Worker Up' && e.Worker === worker),
    "the manager's own events too",
  );
  assert.ok(entries.some((e) => e.Type === 'Started' && e.Task === task.ID));

  // The last past event is printed once the stream is open: from then on nothing is missed.
  const following = follow(t, ['events', '-f', '--tail', '1'], env);
  await following.until(() => following.stdout().includes('\n'));
  const stop = cube(['stop', task.ID], env);
  await following.until(() => /Killed/.test(following.stdout()));
  assert.equal((await stop).code, 0);
  assert.match(following.stdout(), new RegExp(`${task.Name} +Stop Requested +task ${task.Name}\\n`));
  assert.doesNotMatch(following.stdout(), /Received/, '--tail 1: one past event, then the new ones');
  assert.equal(await following.interrupt(), 0);
});

test('cube status filters by state and worker, prints JSON and IDs, and -w shows each change', { timeout: 60_000 }, async (t) => {
  const { url, env, worker } = await manager(t);
  const running = await ticker(url, env);
  const huge = (await post<Task>(`${url}/tasks`, { Task: { Name: unique('huge'), Image: 'strm/helloworld-http', Memory: 1e15 } })).body;

  // No worker has room for it: it waits, Pending, saying why.
  const pending = await cube(['status', '--state', 'pending'], env);
  assert.deepEqual(
    pending.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(/\s+/)[0]),
    [huge.ID.slice(0, 12)],
  );
  assert.equal((await cube(['status', '--state', 'running', '-q'], env)).stdout, `${running.ID}\n`);
  assert.equal((await cube(['status', '--worker', worker, '-q'], env)).stdout, `${running.ID}\n`, 'the unplaced task has no worker');
  assert.equal((await cube(['status', '--state', 'failed'], env)).stdout, 'no tasks match --state failed (2 in all)\n');
  const asJson = JSON.parse((await cube(['status', '-o', 'json', '--state', 'running'], env)).stdout) as Task[];
  assert.deepEqual(
    asJson.map((task) => task.ID),
    [running.ID],
  );
  assert.deepEqual(JSON.parse((await cube(['status', '--output', 'json'], env)).stdout), (await get(`${url}/tasks`)).body);
  const nodes = JSON.parse((await cube(['node', '-o', 'json', '--state', 'up'], env)).stdout) as { Name: string }[];
  assert.deepEqual(
    nodes.map((n) => n.Name),
    [worker],
  );
  assert.equal((await cube(['node', '--state', 'down'], env)).stdout, 'no workers match --state down (1 in all)\n');

  const watching = follow(t, ['status', '-w'], env);
  await watching.until(() => watching.stdout().includes(running.Name));
  const name = unique('late');
  assert.equal((await cube(['run', '-d', '-f', '-'], env, JSON.stringify({ Name: name, Image: 'strm/helloworld-http' }))).code, 0);
  await watching.until(() => new RegExp(`${name}\\s+(just now|\\d+s ago)\\s+Running`).test(watching.stdout()));
  assert.equal(await watching.interrupt(), 0);
});

test(
  'cube run follows its task across a manager killed and restarted: it resumes the event stream (or starts over) and reports the task running',
  { timeout: 60_000 },
  async (t) => {
    const cube = lab(t);
    const settings = env(cube.dir, { CUBE_HEARTBEAT_TTL: '30s' });
    // The worker is not up yet: the task waits, and cube run with it.
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const workerPort = String((free.address() as AddressInfo).port);
    await new Promise((resolve) => free.close(resolve));
    let manager = await cube.manager([`127.0.0.1:${workerPort}`], settings);
    const port = new URL(manager.url).port;
    const file = join(cube.dir, 'task.json');
    writeFileSync(file, JSON.stringify({ Task: { Name: unique('resume'), Image: 'strm/helloworld-http' } }));
    const run = follow(t, ['run', '-f', file], { CUBE_MANAGER: `127.0.0.1:${port}` });
    await run.until(() => /Received/.test(run.stderr()));

    await manager.stop('SIGKILL');
    manager = await cube.manager([`127.0.0.1:${workerPort}`], settings, port);
    await cube.worker(unique('resumew'), settings, workerPort);
    const code = await run.exited();
    assert.equal(code, 0, `${run.stdout()}\n${run.stderr()}`);
    assert.match(run.stdout(), /running/i);
  },
);
