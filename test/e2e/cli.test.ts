// The client commands as people type them: `node bin/cube.js run|stop|status|node`
// run as child processes against a real manager (with an in-process worker and
// the real Docker engine) started in this process. What is checked is what a
// person reads: the lines, the exit codes, and that the manager agrees.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import type { Settings } from '../../src/config/settings.js';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import type { Task } from '../../src/vocabulary/task.js';
import { inspectContainer, removeContainersOf } from '../helpers/docker.js';
import { get } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hello = 'strm/helloworld-http';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cube ARGS` as a person would, with no CUBE_MANAGER or CUBE_TOKEN unless given. */
function cube(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['CUBE_MANAGER', 'CUBE_TOKEN', 'CUBE_DEBUG']) delete childEnv[key];
  Object.assign(childEnv, env);
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/cube.js', ...args], { cwd: root, env: childEnv, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A manager with one in-process worker of its own name; removed with its containers when the test ends. */
async function manager(t: TestContext, settings: Partial<Settings> = {}) {
  const worker = `cli-${nanoid(8).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const running = await startManager({ port: 0, local: [{ port: null, name: worker }], settings: testSettings(settings), log: silentLog });
  t.after(async () => {
    await running.close();
    await removeContainersOf(worker);
  });
  const address = running.url.replace('http://', '');
  return { url: running.url, address, worker, m: ['-m', address] };
}

/** A task file in a fresh folder. */
function taskFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cube-cli-')), 'task.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const uniqueName = (what: string) => `${what}-${nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const noStack = (r: Result) => assert.doesNotMatch(r.stderr + r.stdout, /^\s+at /m, 'no stack trace');

test('run follows the task to Running; status shows it in the table, in detail and as JSON; stop stops it', { timeout: 60_000 }, async (t) => {
  const { url, worker, m } = await manager(t);
  const name = uniqueName('web');
  const file = taskFile({ ID: 'ignored-event-id', State: 2, Task: { Name: name, Image: hello, ExposedPorts: { '80/tcp': {} } } });

  const run = await cube(['run', '-f', file, ...m]);
  assert.equal(run.code, 0, run.stderr);
  const final = /^task (\S+) is running on worker (\S+) \(container ([0-9a-f]{12}), ports 80\/tcp→(\d+)(?: or \[::\]:\d+)?\)\n$/.exec(run.stdout);
  assert.ok(final, `the last line says where it runs: ${JSON.stringify(run.stdout)}`);
  const [, id, shownWorker, shortId, hostPort] = final;
  assert.equal(shownWorker, worker);
  // Not a terminal: each history entry is its own line, as it happened.
  const history = run.stderr.trimEnd().split('\n');
  assert.deepEqual(
    history.map((line) => /^\d\d:\d\d:\d\d {2}(\S+(?: \S+)?)\s{2,}/.exec(line)?.[1]),
    ['Received', 'Placed', 'Scheduled', 'Started'],
    run.stderr,
  );
  assert.match(history[3]!, new RegExp(`Started\\s+container ${shortId} started$`));

  const task = (await get<Task>(`${url}/tasks/${id}`)).body;
  assert.equal(task.State, 2);
  assert.ok(task.ContainerID.startsWith(shortId!));
  assert.equal(task.HostPorts?.['80/tcp']?.find((b) => b.HostIp === '0.0.0.0')?.HostPort, hostPort, 'the IPv4 port first');
  assert.ok((await inspectContainer(task.ContainerID))?.State.Running, 'the container runs');

  const table = await cube(['status', ...m]);
  assert.equal(table.code, 0, table.stderr);
  const [header, ...rows] = table.stdout.trimEnd().split('\n');
  assert.match(header!, /^ID\s+NAME\s+CREATED\s+STATE\s+CONTAINER\s+IMAGE\s+RESTARTS\s+WORKER$/);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0]!.split(/\s{2,}/), [id!.slice(0, 12), name, rows[0]!.split(/\s{2,}/)[2], 'Running', shortId, hello, '0', worker]);
  assert.match(rows[0]!.split(/\s{2,}/)[2]!, /^(just now|\d+s ago)$/, 'CREATED in human terms');

  const detail = await cube(['status', id!, ...m]);
  assert.equal(detail.code, 0, detail.stderr);
  assert.match(detail.stdout, new RegExp(`^ID\\s+${id}$`, 'm'));
  assert.match(detail.stdout, /^State\s+Running$/m);
  assert.match(detail.stdout, new RegExp(`^Container\\s+${task.ContainerID}$`, 'm'));
  assert.match(detail.stdout, new RegExp(`^Ports\\s+80/tcp→${hostPort}( or \\[::\\]:\\d+)?$`, 'm'));
  assert.match(detail.stdout, new RegExp(`^Worker\\s+${worker}$`, 'm'));
  assert.match(detail.stdout, /^History \(oldest first\):$/m);
  assert.match(detail.stdout, new RegExp(`^(just now|\\d+s ago)\\s+Started\\s+container ${shortId} started$`, 'm'));
  assert.match(detail.stdout, /^(just now|\d+s ago)\s+Received\s+received by the manager/m);

  const byPrefix = await cube(['status', id!.slice(0, 8), ...m]);
  assert.equal(byPrefix.code, 0, byPrefix.stderr);
  assert.match(byPrefix.stdout, new RegExp(`^ID\\s+${id}$`, 'm'), 'the start of an ID is enough');

  const json = await cube(['status', '--json', ...m]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), (await get(`${url}/tasks`)).body, 'exactly what GET /tasks answers');
  assert.match(json.stdout, /^\[\n {2}\{\n {4}"ID": /, 'pretty-printed');
  const one = await cube(['status', id!, '--json', ...m]);
  assert.deepEqual(JSON.parse(one.stdout), (await get(`${url}/tasks/${id}`)).body);

  const stop = await cube(['stop', id!, ...m]);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(stop.stdout, `stopped task ${id}\n`);
  assert.equal(await inspectContainer(task.ContainerID), undefined, 'the container is gone');
  const after = await cube(['status', ...m]);
  assert.match(after.stdout, new RegExp(`^${id!.slice(0, 12)}\\s+${name}\\s+(?:just now|\\S+ ago)\\s+Completed\\s`, 'm'));

  const again = await cube(['stop', id!, ...m]);
  assert.equal(again.code, 1);
  assert.equal(again.stdout, '');
  assert.match(again.stderr, new RegExp(`^cube stop: task ${id} is completed, which is final`));
  assert.equal(again.stderr.trimEnd().split('\n').length, 1, 'one line');

  const unknown = await cube(['stop', 'no-such-task', ...m]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^cube stop: no task "no-such-task"/);
  noStack(unknown);

  const missingId = await cube(['stop', ...m]);
  assert.equal(missingId.code, 2);
  assert.match(missingId.stderr, /cube stop ID/);
});

test('run of a task submitted again restarts it: a new container, and the old one is gone', { timeout: 60_000 }, async (t) => {
  const { url, m } = await manager(t);
  const id = `again-${nanoid(8).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const file = taskFile({ Task: { ID: id, Name: uniqueName('again'), Image: hello } });
  const first = await cube(['run', '-f', file, ...m]);
  assert.equal(first.code, 0, first.stderr);
  const before = (await get<Task>(`${url}/tasks/${id}`)).body.ContainerID;

  const second = await cube(['run', '-f', file, ...m]);
  assert.equal(second.code, 0, second.stderr);
  const after = (await get<Task>(`${url}/tasks/${id}`)).body;
  assert.equal(after.State, 2);
  assert.notEqual(after.ContainerID, before, 'restarted in a new container');
  assert.equal(await inspectContainer(before), undefined, 'the old container is gone');
  // A task that names no ports has its image's published (80 for this one), as the book's runtime does.
  assert.match(second.stdout, new RegExp(`^task ${id} is running on worker \\S+ \\(container ${after.ContainerID.slice(0, 12)}, ports 80/tcp→[^)]+\\)\\n$`));
  assert.doesNotMatch(second.stderr, /Received/, 'only what happened since, not the old history');
  assert.match(second.stderr, /Started\s+container [0-9a-f]{12} started/);
});

test('run --detach prints the ID at once; with --json the task as accepted; a bare Task is wrapped', { timeout: 60_000 }, async (t) => {
  const { url, m } = await manager(t);
  const detached = await cube(['run', '--detach', '-f', taskFile({ Task: { Name: uniqueName('detached'), Image: hello } }), ...m]);
  assert.equal(detached.code, 0, detached.stderr);
  assert.match(detached.stdout, /^\S+\n$/);
  assert.equal(detached.stderr, '', 'nothing followed');
  const id = detached.stdout.trim();
  assert.equal((await get(`${url}/tasks/${id}`)).status, 200, 'the manager has it');

  const name = uniqueName('bare');
  const json = await cube(['run', '-d', '--json', '-f', taskFile({ Name: name, Image: hello, Memory: 64 * 1024 * 1024 }), ...m]);
  assert.equal(json.code, 0, json.stderr);
  const task = JSON.parse(json.stdout) as Task;
  assert.equal(task.Name, name);
  assert.equal(task.Memory, 64 * 1024 * 1024);
  assert.equal(task.ContainerID, '', 'as accepted: not started yet');
  assert.match(json.stdout, /^\{\n {2}"ID": /, 'pretty-printed');
  assert.equal((await get<Task>(`${url}/tasks/${task.ID}`)).body.Name, name);
});

test('run with a file that is missing, not JSON, or refused says so in one line', { timeout: 60_000 }, async (t) => {
  const { m } = await manager(t);
  const missing = join(tmpdir(), `cube-no-such-${nanoid(6)}.json`);
  const gone = await cube(['run', '-f', missing, ...m]);
  assert.equal(gone.code, 2);
  assert.equal(gone.stdout, '');
  assert.equal(gone.stderr, `cube run: cannot read task file "${missing}": no such file (see: cube run --help)\n`, 'one line');
  noStack(gone);

  const bad = taskFile('{"Task": {"Image": ');
  const notJson = await cube(['run', '-f', bad, ...m]);
  assert.equal(notJson.code, 2);
  assert.match(notJson.stderr, new RegExp(`^cube run: task file "${bad.replace(/[.]/g, '\\.')}" is not valid JSON`));

  const noFile = await cube(['run', ...m]);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /cube run -f task\.json/);

  const badTimeout = await cube(['run', '-f', bad, '--timeout', 'soon', ...m]);
  assert.equal(badTimeout.code, 2);
  assert.match(badTimeout.stderr, /--timeout: "soon" is not a duration/);

  const refused = await cube(['run', '-f', taskFile({ Task: { Name: 'x' } }), ...m]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^cube run: the manager refused the task in \S+task\.json: .*Task\.Image: required/);
  assert.equal(refused.stderr.trimEnd().split('\n').length, 1);
});

test('run of a task no worker has room for waits Pending, naming the short resource, until --timeout', { timeout: 60_000 }, async (t) => {
  const { m } = await manager(t);
  const run = await cube(['run', '--timeout', '3s', '-f', taskFile({ Task: { Name: uniqueName('huge'), Image: hello, Memory: 1e15 } }), ...m]);
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /^task \S+ is still Pending after 3s \(no worker can take the task: 1 worker: 1 short of memory \(.*the task asks [\d.]+ [KMGTP]iB\)\); Cube keeps at it/,
  );
  assert.match(run.stderr, /Not Placed\s+no worker can take the task/);
  noStack(run);
});

test('run gives up after --timeout, saying the state and how to watch it', { timeout: 60_000 }, async (t) => {
  // A manager whose only worker is nowhere: the task waits in Pending.
  const nowhere = `127.0.0.1:${await closedPort()}`;
  const running = await startManager({ port: 0, workers: [nowhere], settings: testSettings(), log: silentLog });
  t.after(() => running.close());
  const run = await cube(['run', '-f', taskFile({ Image: hello }), '--timeout', '1s', '-m', running.url.replace('http://', '')]);
  assert.equal(run.code, 1);
  const line = /^task (\S+) is still Pending after 1s \((.*)\); Cube keeps at it: watch it with: cube status (\S+)\n$/.exec(run.stdout);
  assert.ok(line, run.stdout);
  assert.equal(line[3], line[1]);
  assert.match(line[2]!, new RegExp(`^no worker can take the task: 1 worker: 1 (not heard from yet|suspect|down) \\(${nowhere}\\)$`));
});

test('status with no tasks says how to run one; node shows the worker as a table and as JSON', { timeout: 60_000 }, async (t) => {
  const { url, worker, m } = await manager(t);
  const empty = await cube(['status', ...m]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, 'no tasks yet; run one with: cube run -f task.json\n');
  assert.deepEqual(JSON.parse((await cube(['status', '--json', ...m])).stdout), []);

  // A task that runs proves the worker is up and has reported its stats.
  const run = await cube(['run', '-f', taskFile({ Task: { Name: uniqueName('node'), Image: hello } }), ...m]);
  assert.equal(run.code, 0, run.stderr);

  const table = await cube(['node', ...m]);
  assert.equal(table.code, 0, table.stderr);
  const [header, row, ...more] = table.stdout.trimEnd().split('\n');
  assert.match(header!, /^NAME\s+ADDRESS\s+PROTOCOL\s+STATE\s+MEMORY\s+DISK\s+CPU\s+ALLOCATED\s+TASKS\s+LABELS\s+LAST SEEN$/);
  assert.deepEqual(more, []);
  const cells = row!.split(/\s{2,}/);
  assert.equal(cells[0], worker);
  assert.equal(cells[1], 'in-process');
  assert.equal(cells[2], 'cube');
  assert.equal(cells[3], 'up');
  assert.match(cells[4]!, /^[\d.]+( [KMGTP]?i?B)?\/[\d.]+ [KMGTP]?i?B free$/, `memory: ${cells[4]}`);
  assert.match(cells[6]!, /^\d+% of \d+ cores?$/);
  assert.match(cells[7]!, /^[\d.]+\/\d+ CPUs?, [\d.]+( [KMGTP]?i?B)?\/[\d.]+ [KMGTP]?i?B$/, `allocated: ${cells[7]}`);
  assert.equal(cells[8], '1');
  assert.equal(cells[9], '-', 'no labels');
  assert.match(cells[10]!, /^(just now|\d+s ago)$/);

  const json = await cube(['node', '--json', ...m]);
  assert.equal(json.code, 0, json.stderr);
  const shown = JSON.parse(json.stdout) as Record<string, unknown>[];
  const api = (await get<Record<string, unknown>[]>(`${url}/nodes`)).body;
  assert.deepEqual(
    shown.map((n) => [n['Name'], n['Address'], n['State'], n['MemoryTotal'], n['CpuCount'], Object.keys(n)]),
    api.map((n) => [n['Name'], n['Address'], n['State'], n['MemoryTotal'], n['CpuCount'], Object.keys(n)]),
    'the API JSON (heartbeat fields aside, which move)',
  );
});

test('every command against a manager that is not there: exit 1, one line saying how to fix it', { timeout: 60_000 }, async () => {
  const port = await closedPort();
  const file = taskFile({ Image: hello });
  const commands = [
    ['status'],
    ['status', 'some-id'],
    ['status', '--json'],
    ['node'],
    ['node', '--json'],
    ['stop', 'some-id'],
    ['run', '-f', file],
    ['run', '-f', file, '--detach'],
  ];
  for (const args of commands) {
    const r = await cube([...args, '-m', `127.0.0.1:${port}`]);
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
    assert.equal(
      r.stderr,
      `cube ${args[0]}: cannot reach the manager at 127.0.0.1:${port} (ECONNREFUSED), which -m/--manager names: check that it runs there, or give -m/--manager the address of one that does (several: a:5556,b:5556)\n`,
      args.join(' '),
    );
  }
  // CUBE_MANAGER names it when -m does not; the brief's port 1 is refused by fetch itself, and says so.
  const fromEnv = await cube(['status'], { CUBE_MANAGER: `127.0.0.1:${port}` });
  assert.equal(fromEnv.code, 1);
  assert.match(fromEnv.stderr, new RegExp(`^cube status: cannot reach the manager at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\), which CUBE_MANAGER names`));
  const portOne = await cube(['node', '-m', '127.0.0.1:1']);
  assert.equal(portOne.code, 1);
  assert.match(portOne.stderr, /^cube node: cannot reach the manager at 127\.0\.0\.1:1 \(.+\), which -m\/--manager names: check that it runs there/);
  assert.equal(portOne.stderr.split('\n').length, 2, 'one line');
  noStack(portOne);
  const badAddress = await cube(['status', '-m', 'not an address']);
  assert.equal(badAddress.code, 2);
  assert.match(badAddress.stderr, /^cube status: -m\/--manager: "not an address" is not host:port/);
});

test(
  'CUBE_TOKEN: a manager started with a token answers the commands that carry it, and says what is missing to those that do not',
  { timeout: 60_000 },
  async (t) => {
    const { address, m } = await manager(t, { token: 's3cret' });
    const withToken = await cube(['status'], { CUBE_MANAGER: address, CUBE_TOKEN: 's3cret' });
    assert.equal(withToken.code, 0, withToken.stderr);
    assert.equal(withToken.stdout, 'no tasks yet; run one with: cube run -f task.json\n');
    const run = await cube(['run', '-f', taskFile({ Task: { Name: uniqueName('token'), Image: hello } }), ...m], { CUBE_TOKEN: 's3cret' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /is running on worker/);
    const nodes = await cube(['node', ...m], { CUBE_TOKEN: 's3cret' });
    assert.equal(nodes.code, 0, nodes.stderr);

    for (const args of [['status'], ['node'], ['stop', 'x'], ['run', '-f', taskFile({ Image: hello })]]) {
      const without = await cube([...args, ...m]);
      assert.equal(without.code, 1, args.join(' '));
      assert.equal(without.stderr, `cube ${args[0]}: the manager at http://${address} requires a token: set CUBE_TOKEN to the token it was started with\n`);
    }
    const wrong = await cube(['status', ...m], { CUBE_TOKEN: 'guess' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^cube status: the token is wrong/);
  },
);
