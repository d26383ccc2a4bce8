// Every way of using `cube` wrong that issue 12 lists, and the others of the
// same kind: one line on stderr that says what is wrong (and names the flag
// that was meant), exit code 2, nothing on stdout, never a stack trace. None of
// these reach a manager: they fail before anything is asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { cube, noStack } from '../helpers/cube-cli.js';
import { startWorker } from '../../src/worker/start.js';
import { silentLog } from '../../src/log.js';
import { testSettings } from '../helpers/worker.js';

/** Runs a mistake and checks the one line and the exit code. */
async function mistake(args: string[], line: RegExp) {
  const r = await cube(args, { CUBE_MANAGER: '127.0.0.1:1' });
  const what = `cube ${args.join(' ')}`;
  assert.equal(r.code, 2, `${what}: exit 2\n${r.stderr}`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
  assert.equal(r.stderr.split('\n').length, 2, `${what}: one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, line, what);
  assert.match(r.stderr, new RegExp(`\\(see: cube ${args[0]} --help\\)\\n$`), `${what}: says where help is`);
  noStack(r);
}

test('an unknown flag is one line and exit 2, with the flag that was meant', { timeout: 60_000 }, async () => {
  await mistake(['start', '--prot', '1'], /^cube start: unknown flag --prot \(did you mean --manager-port or --worker-port or --inspect-port\?\)/);
  await mistake(['worker', '--prot', '1'], /^cube worker: unknown flag --prot \(did you mean --port\?\)/);
  await mistake(['stop', '--force', 'abc'], /^cube stop: unknown flag --force /);
  await mistake(['status', '--stat', 'running'], /^cube status: unknown flag --stat \(did you mean --state\?\)/);
  await mistake(['run', '-x'], /^cube run: unknown flag -x /);
  await mistake(['node', '--worker', 'a'], /^cube node: unknown flag --worker /);
});

test('a flag that needs a value and has none is one line and exit 2, also when a flag follows', { timeout: 60_000 }, async () => {
  await mistake(['run', '--file'], /^cube run: --file needs a value \(FILE\)/);
  await mistake(['run', '-f'], /^cube run: --file needs a value \(FILE\)/);
  await mistake(['status', '-m'], /^cube status: --manager needs a value \(HOST:PORT\)/);
  await mistake(['status', '-o'], /^cube status: --output needs a value \(FORMAT\)/);
  await mistake(['run', '--file', '--json'], /^cube run: --file needs a value/);
  await mistake(['logs', '--tail', '-1', 'x'], /^cube logs: --tail needs a value/);
});

test('a switch given a value, a value that is not one, and a setting of the other server are one line and exit 2', { timeout: 60_000 }, async () => {
  await mistake(['status', '--json=1'], /^cube status: --json takes no value/);
  await mistake(['status', '-o', 'yaml'], /^cube status: -o\/--output: "yaml" is not a format; use -o table or -o json/);
  await mistake(['status', '--json', '-o', 'table'], /^cube status: --json and -o table disagree/);
  await mistake(['status', '--state', 'runing'], /^cube status: --state: "runing" is not a state; use pending, scheduled, running/);
  await mistake(['status', 'some-id', '--state', 'running'], /^cube status: --state applies to the list of tasks, not to one task/);
  await mistake(['node', '--state', 'sleeping'], /^cube node: --state: "sleeping" is not a worker state; use up, suspect, down, unknown/);
  await mistake(['run', '-f', 'x.json', '--timeout', 'soon'], /^cube run: --timeout: "soon" is not a duration/);
  await mistake(['logs', '--tail', 'x', 'some-id'], /^cube logs: --tail: "x" is not a whole number of lines/);
  await mistake(['logs', '--since', 'yesterday', 'some-id'], /^cube logs: --since: "yesterday" is not a time/);
  await mistake(['events', '--tail', 'many'], /^cube events: --tail: "many" is not a whole number/);
  await mistake(
    ['manager', '--workers', 'a:1', '--health-interval', '1s'],
    /^cube manager: unknown flag --health-interval: --health-interval is a worker setting: give it to cube worker \(or cube start\)/,
  );
  await mistake(['worker', '--scheduler', 'epvm'], /^cube worker: unknown flag --scheduler: --scheduler is a manager setting/);
  await mistake(['worker', '--health-interval', 'often'], /^cube worker: --health-interval: "often" is not a duration/);
  await mistake(['start', '--manager-port', '99999'], /^cube start: --manager-port \(or CUBE_MANAGER_PORT\): "99999" is not a port number/);
  await mistake(['status', '-m', 'not an address'], /^cube status: -m\/--manager: "not an address" is not host:port/);
});

test('a missing or extra argument is one line and exit 2', { timeout: 60_000 }, async () => {
  await mistake(['stop'], /^cube stop: which task\? give its ID: cube stop ID/);
  await mistake(['restart'], /^cube restart: which task\?/);
  await mistake(['logs'], /^cube logs: which task\?/);
  await mistake(['run'], /^cube run: which task\? give its file: cube run -f task\.json/);
  await mistake(['stop', 'a', 'b'], /^cube stop: stops one task at a time, got 2: a b/);
  await mistake(['status', 'a', 'b'], /^cube status: expected at most one task ID, got 2/);
  await mistake(['node', 'extra'], /^cube node: unknown action "extra"; cube node takes drain, undrain, rm, label, volumes WORKER, or nothing/);
  await mistake(['node', 'drain'], /^cube node: cube node drain takes one worker name \(its NAME in cube node\), got none/);
  await mistake(['node', 'rm', 'w1', 'w2'], /^cube node: cube node rm takes one worker name \(its NAME in cube node\), got w1 w2/);
  await mistake(['events', 'extra'], /^cube events: takes no arguments/);
  await mistake(['version', 'extra'], /^cube version: takes no arguments/);
  await mistake(['completion', 'fish'], /^cube completion: which shell\? cube completion bash or cube completion zsh, not fish/);
  await mistake(['completion'], /^cube completion: which shell\?/);
  await mistake(['worker', 'extra'], /^cube worker: takes no arguments, got: extra/);
  await mistake(['manager', 'extra'], /^cube manager: takes no arguments, got: extra/); // --workers is optional: workers join
});

test('no command, and an unknown command, are exit 2 with the commands listed', { timeout: 60_000 }, async () => {
  const none = await cube([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^usage: cube <command> \[flags\]/);
  const unknown = await cube(['staus']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.split('\n').length, 2, 'one line');
  assert.match(
    unknown.stderr,
    /^cube: unknown command "staus"; the commands are start, manager, worker, run, stop, restart, status, logs, rm, events, service, node, gc, version, completion, machines, tls \(see: cube --help\)\n$/,
  );
});

test(
  'cube service: alone it shows its commands (exit 2); an unknown one is named; cube help service and each command has its help',
  { timeout: 60_000 },
  async () => {
    const none = await cube(['service']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^usage: cube service <command> \[flags\]\n[\s\S]*^Commands:\n {2}create +\S/m);
    const unknown = await cube(['service', 'list']);
    assert.equal(unknown.code, 2);
    assert.equal(
      unknown.stderr,
      'cube service: unknown command "list"; cube service takes create, ls, ps, inspect, scale, update, rollback, rm (see: cube service --help)\n',
    );
    const help = await cube(['help', 'service']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^ {2}rollback +\S/m);
    const ps = await cube(['help', 'service', 'ps']);
    assert.match(ps.stdout, /^usage: cube service ps NAME \[flags\]\n/);
    assert.match(ps.stdout, /-a, --all/);
    const flag = await cube(['service', 'rm', 'web', '--all']);
    assert.equal(flag.code, 2, 'a flag of another command of the group is refused');
    assert.match(flag.stderr, /^cube service rm: .*--all.*\(see: cube service rm --help\)\n$/);
    const noName = await cube(['service', 'ps']);
    assert.equal(noName.code, 2);
    assert.equal(
      noName.stderr,
      'cube service ps: which service? give its name: cube service ps NAME (cube service ls lists them) (see: cube service ps --help)\n',
    );
    const noFile = await cube(['service', 'update', 'web']);
    assert.equal(noFile.code, 2);
    assert.match(
      noFile.stderr,
      /^cube service update: which definition\? give its file: cube service update web -f FILE \(see: cube service update --help\)\n$/,
    );
  },
);

test('help: cube --help lists every command; each command --help lists only its own flags and settings', { timeout: 60_000 }, async () => {
  const all = await cube(['--help']);
  assert.equal(all.code, 0);
  for (const name of [
    'start',
    'manager',
    'worker',
    'run',
    'stop',
    'restart',
    'status',
    'logs',
    'events',
    'service',
    'node',
    'version',
    'completion',
    'machines',
    'tls',
  ]) {
    assert.match(all.stdout, new RegExp(`^ {2}${name} +\\S`, 'm'), name);
  }
  const worker = await cube(['worker', '--help']);
  assert.equal(worker.code, 0);
  assert.match(worker.stdout, /^usage: cube worker \[flags\]$/m);
  assert.match(worker.stdout, /--health-interval +CUBE_HEALTH_INTERVAL +10s/);
  assert.doesNotMatch(worker.stdout, /--scheduler|CUBE_SCHEDULER/, 'the manager-only setting is not listed');
  const manager = await cube(['manager', '--help']);
  assert.match(manager.stdout, /--scheduler +CUBE_SCHEDULER +epvm/);
  assert.doesNotMatch(manager.stdout, /--health-interval|--restart-limit|--docker-timeout/, 'worker-only settings are not listed');
  const start = await cube(['start', '--help']);
  assert.match(start.stdout, /--scheduler/);
  assert.match(start.stdout, /--health-interval/);
  const status = await cube(['status', '-h']);
  assert.match(status.stdout, /-o, --output FORMAT/);
  assert.doesNotMatch(status.stdout, /Settings/, 'a client command has no server settings');
  assert.deepEqual((await cube(['help', 'logs'])).stdout, (await cube(['logs', '--help'])).stdout);
});

test('cube version and cube --version print the version of package.json and of Node', { timeout: 60_000 }, async () => {
  const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
  const line = await cube(['version']);
  assert.equal(line.code, 0);
  assert.equal(line.stdout, `cube ${version} (node ${process.version}, ${process.platform}/${process.arch})\n`);
  assert.equal((await cube(['--version'])).stdout, line.stdout);
  const json = JSON.parse((await cube(['version', '-o', 'json'])).stdout) as Record<string, string>;
  assert.deepEqual(json, { Version: version, Node: process.version, Platform: `${process.platform}/${process.arch}` });
});

test('a manager command pointed at a worker is exit 2, says so, and leaves the worker untouched', { timeout: 60_000 }, async (t) => {
  const worker = await startWorker({ port: 0, name: `port-${nanoid(6)}`, settings: testSettings(), log: silentLog });
  t.after(() => worker.close());
  const address = worker.url.replace('http://', '');
  for (const args of [
    ['status', '-m', address],
    ['run', '-f', 'docs/examples/hello.json', '-m', address],
    ['events', '-m', address],
  ]) {
    const r = await cube(args);
    const what = `cube ${args.join(' ')}`;
    assert.equal(r.code, 2, `${what}: exit 2\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^cube ${args[0]}: ${address.replace(/\./g, '\\.')} is a worker; managers are usually on :5556`), what);
    noStack(r);
  }
  assert.equal([...worker.service.tasks()].length, 0, 'nothing was submitted to the worker');
});
