// Tests of the request codec (docs/spec.md §1): parseTaskEvent and parseTask accept the
// SPEC's examples and a task read back from a worker, always record a Pending
// task with its keys in SPEC order, and refuse anything else with a message
// that names the key and says what was expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTask, parseTaskEvent, ValidationError, type ParseOptions } from '../../src/task/codec.js';
import { ZERO_TIME } from '../../src/vocabulary/task.js';
import { example } from '../helpers/examples.js';

/** Deterministic ids: id-1, id-2, … */
const ids = (): ParseOptions => {
  let n = 0;
  return { newId: () => `id-${++n}` };
};

/** The Task keys of docs/spec.md §1, in its order. */
const specKeys = [
  'ID',
  'ContainerID',
  'Name',
  'State',
  'Image',
  'Cpu',
  'Memory',
  'Disk',
  'ExposedPorts',
  'PortBindings',
  'RestartPolicy',
  'StartTime',
  'FinishTime',
  'HostPorts',
  'HealthCheck',
  'RestartCount',
];

/** Asserts that `body` is refused with a ValidationError whose message matches every pattern. */
function refuses(body: unknown, ...patterns: RegExp[]): string {
  let message = '';
  assert.throws(
    () => parseTaskEvent(body, ids()),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
      message = error.message;
      return true;
    },
    `expected ${JSON.stringify(body)} to be refused`,
  );
  for (const pattern of patterns) assert.match(message, pattern);
  return message;
}

/** A TaskEvent around a valid task plus `fields`. */
const withTask = (fields: Record<string, unknown>) => ({ Task: { Image: 'strm/helloworld-http', ...fields } });

test('the SPEC examples all parse', { timeout: 10_000 }, () => {
  for (const name of ['task.json', 'task1.json', 'task2.json', 'worker-task.json']) {
    const body = example(name) as { ID: string; Task: Record<string, unknown> };
    const event = parseTaskEvent(body, ids());
    assert.equal(event.ID, body.ID, name);
    assert.equal(event.Task.ID, body.Task['ID'], name);
    assert.equal(event.Task.Name, body.Task['Name'], name);
    assert.equal(event.Task.Image, body.Task['Image'], name);
  }
  const task1 = parseTaskEvent(example('task1.json')).Task;
  assert.deepEqual(task1.ExposedPorts, { '7777/tcp': {} });
  assert.deepEqual(task1.PortBindings, { '7777/tcp': '7777' });
  assert.equal(task1.HealthCheck, '/health');
  assert.equal(parseTaskEvent(example('task2.json')).Task.HealthCheck, '/healthfail');
});

test("the event's State numbers are accepted, but the task is always recorded Pending", { timeout: 10_000 }, () => {
  const event = parseTaskEvent(example('task.json'));
  assert.equal(event.State, 2);
  assert.equal(event.Task.State, 0);
  assert.equal(event.Task.StateName, 'pending');
  for (const State of [0, 1, 2, 3, 4]) {
    const task = parseTaskEvent({ State, Task: { State, Image: 'strm/helloworld-http' } }).Task;
    assert.equal(task.State, 0, `Task.State ${State}`);
    assert.equal(task.StateName, 'pending', `Task.State ${State}`);
  }
  const task = parseTaskEvent(withTask({ StateName: 'running' })).Task;
  assert.equal(task.StateName, 'pending', 'a client cannot set StateName either');
});

test('a missing ID is generated, for the task and for the event', { timeout: 10_000 }, () => {
  const event = parseTaskEvent({ Task: { Image: 'strm/helloworld-http' } }, ids());
  assert.equal(event.Task.ID, 'id-1');
  assert.equal(event.ID, 'id-2');
  assert.equal(parseTaskEvent(withTask({ ID: '' }), ids()).Task.ID, 'id-1', 'an empty ID counts as missing');
  const generated = parseTaskEvent({ Task: { Image: 'strm/helloworld-http' } });
  // The book's worker and CLI parse every task ID as a UUID; nothing else Cube names needs to be one.
  assert.match(generated.Task.ID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'without newId, a task gets a UUID');
  assert.match(generated.ID, /^[\w-]{21}$/, 'and an event a nanoid');
  assert.notEqual(parseTaskEvent(withTask({})).Task.ID, generated.Task.ID);
});

test('a missing Name stays empty: the manager or worker that takes the task names it', { timeout: 10_000 }, () => {
  assert.equal(parseTaskEvent(withTask({ ID: 'abc123' })).Task.Name, '');
  assert.equal(parseTaskEvent(withTask({ ID: 'abc123', Name: '' })).Task.Name, '');
  assert.equal(parseTaskEvent(withTask({ ID: 'abc123', Name: 'web' })).Task.Name, 'web');
});

test('the parsed task has the keys of docs/spec.md §1 in its order, with defaults for what was not sent', { timeout: 10_000 }, () => {
  const event = parseTaskEvent(example('task.json'));
  assert.deepEqual(Object.keys(event), ['ID', 'State', 'Timestamp', 'Task']);
  const task = event.Task;
  assert.deepEqual(Object.keys(task).slice(0, specKeys.length), specKeys);
  assert.deepEqual(task, {
    ...task,
    ContainerID: '',
    Cpu: 0,
    Memory: 0,
    Disk: 0,
    ExposedPorts: null,
    PortBindings: null,
    RestartPolicy: '',
    StartTime: ZERO_TIME,
    FinishTime: ZERO_TIME,
    HostPorts: null,
    HealthCheck: '',
    RestartCount: 0,
  });
  // Keys sent in another order still come out in SPEC order.
  const shuffled = parseTaskEvent({
    Task: { HealthCheck: '/h', RestartPolicy: 'always', ExposedPorts: { '80/tcp': {} }, Image: 'nginx', Name: 'web', ID: 'x1', Cpu: 1.5 },
  }).Task;
  assert.deepEqual(Object.keys(shuffled).slice(0, specKeys.length), specKeys);
});

test('the fields a client may set are kept', { timeout: 10_000 }, () => {
  const task = parseTaskEvent(
    withTask({
      Cpu: 1.5,
      Memory: 64 * 1024 * 1024,
      Disk: 1024,
      ExposedPorts: { '7777/tcp': {}, '53/udp': {} },
      PortBindings: { '7777/tcp': '' },
      RestartPolicy: 'on-failure',
      HealthCheck: '/health?deep=1',
      Env: ['A=1', 'EMPTY='],
      Cmd: ['sh', '-c', 'echo hi'],
    }),
  ).Task;
  assert.equal(task.Cpu, 1.5);
  assert.equal(task.Memory, 64 * 1024 * 1024);
  assert.equal(task.Disk, 1024);
  assert.deepEqual(task.ExposedPorts, { '7777/tcp': {}, '53/udp': {} });
  assert.deepEqual(task.PortBindings, { '7777/tcp': '' });
  assert.equal(task.RestartPolicy, 'on-failure');
  assert.equal(task.HealthCheck, '/health?deep=1');
  assert.deepEqual(task.Env, ['A=1', 'EMPTY=']);
  assert.deepEqual(task.Cmd, ['sh', '-c', 'echo hi']);
  assert.equal(parseTaskEvent(withTask({ Memory: 0 })).Task.Memory, 0, 'Memory 0 means no limit');
  assert.equal(parseTaskEvent(withTask({ Memory: 6 * 1024 * 1024 })).Task.Memory, 6 * 1024 * 1024);
});

test('a valid Timestamp is kept', { timeout: 10_000 }, () => {
  for (const Timestamp of ['2026-01-02T15:04:05Z', '2026-01-02T15:04:05.123456789Z', '2026-01-02T15:04:05+02:00']) {
    assert.equal(parseTaskEvent({ ...withTask({}), Timestamp }).Timestamp, Timestamp);
  }
});

test('image references in Docker grammar are accepted', { timeout: 10_000 }, () => {
  for (const Image of [
    'nginx',
    'nginx:1.25-alpine',
    'library/nginx',
    'registry:5000/team/app:1.2',
    'ghcr.io/owner/app',
    'localhost:5000/app',
    `nginx@sha256:${'a'.repeat(64)}`,
    `nginx:1.25@sha256:${'0'.repeat(64)}`,
  ]) {
    assert.equal(parseTaskEvent(withTask({ Image })).Task.Image, Image);
  }
});

test('server-owned keys are accepted when well-typed, and ignored', { timeout: 10_000 }, () => {
  const task = parseTaskEvent(
    withTask({
      ID: 't1',
      ContainerID: 'c0ffee',
      HostPorts: { '7777/tcp': [{ HostIp: '0.0.0.0', HostPort: '49155' }] },
      StartTime: '2026-01-02T15:04:05Z',
      FinishTime: '2026-01-02T15:05:05Z',
      RestartCount: 7,
      StateName: 'failed',
      Worker: 'w9',
      ExitCode: 137,
      Reason: 'OOM killed',
      Events: [{ Time: '2026-01-02T15:04:05Z', Type: 'Started', Message: 'x' }],
    }),
  ).Task;
  assert.equal(task.ContainerID, '');
  assert.equal(task.HostPorts, null);
  assert.equal(task.StartTime, ZERO_TIME);
  assert.equal(task.FinishTime, ZERO_TIME);
  assert.equal(task.RestartCount, 0);
  assert.equal(task.StateName, 'pending');
  assert.equal(task.Worker, '');
  assert.equal(task.ExitCode, null);
  assert.equal(task.Reason, '');
  assert.deepEqual(task.Events, []);
});

test('server-owned keys of the wrong type are refused all the same', { timeout: 10_000 }, () => {
  refuses(withTask({ ContainerID: 5 }), /Task\.ContainerID: expected a string, got 5 \(number\)/);
  refuses(withTask({ HostPorts: { '7777/tcp': '49155' } }), /Task\.HostPorts\["7777\/tcp"\]: expected a list of \{"HostIp": string, "HostPort": string\}/);
  refuses(withTask({ StartTime: 'yesterday' }), /Task\.StartTime: expected an RFC 3339 time/);
  refuses(withTask({ RestartCount: -1 }), /Task\.RestartCount: -1 is out of range/);
  refuses(withTask({ Events: 'none' }), /Task\.Events: expected a list/);
});

test('a task read back from a worker can be POSTed again', { timeout: 10_000 }, () => {
  const [fromWorker] = example('worker-tasks-response.json') as Record<string, unknown>[];
  assert.ok(fromWorker);
  const event = parseTaskEvent({ Task: fromWorker }, ids());
  assert.equal(event.Task.ID, fromWorker['ID']);
  assert.equal(event.Task.Name, fromWorker['Name']);
  assert.equal(event.Task.Image, fromWorker['Image']);
  assert.equal(event.Task.State, 0);
  assert.equal(event.Task.ContainerID, '', 'its ContainerID is the server’s and ignored');
  assert.deepEqual(Object.keys(event.Task).slice(0, specKeys.length), specKeys);
});

test('parseTask alone takes a bare task', { timeout: 10_000 }, () => {
  const task = parseTask({ Image: 'strm/helloworld-http' }, ids());
  assert.equal(task.ID, 'id-1');
  assert.equal(task.Name, '');
  assert.throws(
    () => parseTask('nginx'),
    (e: unknown) => e instanceof ValidationError && /^Task: expected an object, got "nginx"/.test(e.message),
  );
  assert.throws(() => parseTask({}, {}, 'tasks[0]'), /tasks\[0\]\.Image: required/);
});

test('a body that is not an object is refused', { timeout: 10_000 }, () => {
  for (const body of [null, undefined, 'nginx', 42, true]) {
    refuses(body, /^body: expected a TaskEvent object like \{"Task": \{"Image": "strm\/helloworld-http"\}\}/);
  }
  refuses('nginx', /got "nginx"/);
  refuses(42, /got 42 \(number\)/);
});

test('an array body is refused', { timeout: 10_000 }, () => {
  refuses([example('task.json')], /^body: expected a TaskEvent object/, /got an array$/);
});

test('an unknown top-level key is refused, with the known keys listed and the one likely meant', { timeout: 10_000 }, () => {
  refuses({ ...withTask({}), Tasks: [] }, /"Tasks" is not a known key; did you mean "Task"\? \(known keys: ID, State, Timestamp, Task\)/);
  refuses({ ...withTask({}), Extra: 1 }, /"Extra" is not a known key \(known keys/);
});

test('an unknown Task key is refused, with the known keys listed', { timeout: 10_000 }, () => {
  const message = refuses(withTask({ Ports: ['7777'] }), /Task: "Ports" is not a known key \(known keys: /);
  for (const key of [...specKeys, 'Env', 'Cmd']) assert.match(message, new RegExp(`\\b${key}\\b`), `lists ${key}`);
  refuses(withTask({ image: 'nginx' }), /Task: "image" is not a known key; did you mean "Image"\?/);
  refuses(withTask({ HealtCheck: '/x' }), /Task: "HealtCheck" is not a known key; did you mean "HealthCheck"\?/);
  refuses(withTask({ RestartPolcy: 'always' }), /did you mean "RestartPolicy"\?/);
});

test('security-relevant Docker keys are refused as unknown keys', { timeout: 10_000 }, () => {
  for (const key of ['Privileged', 'Binds', 'Volumes', 'HostConfig', 'NetworkMode', 'CapAdd', 'Devices', 'PidMode', 'User']) {
    refuses(withTask({ [key]: key === 'Privileged' ? true : {} }), new RegExp(`Task: "${key}" is not a known key`));
    refuses({ ...withTask({}), [key]: true }, new RegExp(`^"${key}" is not a known key`));
  }
  refuses(JSON.parse('{"Task": {"Image": "nginx", "__proto__": {"Privileged": true}}}'), /Task: "__proto__" is not a known key/);
});

test('a missing Task is refused', { timeout: 10_000 }, () => {
  refuses({}, /^Task: required, the task to run, like \{"Image": "strm\/helloworld-http"\}$/);
  refuses({ ID: 'e1', State: 2 }, /^Task: required/);
  refuses({ Task: null }, /^Task: expected an object, got null$/);
  refuses({ Task: [] }, /^Task: expected an object, got an array$/);
});

test('a missing or empty Image is refused', { timeout: 10_000 }, () => {
  refuses({ Task: { Name: 'web' } }, /Task\.Image: required, the image to run, like "strm\/helloworld-http"/);
  refuses({ Task: { Image: '' } }, /Task\.Image: required/);
  refuses({ Task: { Image: 7 } }, /Task\.Image: expected a string, got 7 \(number\)/);
});

test('an Image with uppercase letters or spaces is refused', { timeout: 10_000 }, () => {
  refuses({ Task: { Image: 'NGINX' } }, /Task\.Image: "NGINX" is not an image reference like "strm\/helloworld-http"/);
  refuses({ Task: { Image: 'strm/HelloWorld-http' } }, /Task\.Image: "strm\/HelloWorld-http" is not an image reference/);
  refuses({ Task: { Image: 'strm/helloworld http' } }, /Task\.Image: "strm\/helloworld http" is not an image reference/);
  refuses({ Task: { Image: ' nginx' } }, /Task\.Image: " nginx" is not an image reference/);
  refuses({ Task: { Image: 'nginx; rm -rf /' } }, /Task\.Image: .* is not an image reference/);
});

test('a Name with a leading dash or a slash is refused', { timeout: 10_000 }, () => {
  refuses(withTask({ Name: '-web' }), /Task\.Name: "-web" is not a container name: 2…128 of letters, digits/);
  refuses(withTask({ Name: 'team/web' }), /Task\.Name: "team\/web" is not a container name/);
  refuses(withTask({ Name: '/web' }), /Task\.Name: "\/web" is not a container name/);
  refuses(withTask({ Name: 'my web' }), /Task\.Name: "my web" is not a container name/);
});

test('a Name of one character is refused, two are enough', { timeout: 10_000 }, () => {
  refuses(withTask({ Name: 'w' }), /Task\.Name: "w" is not a container name: 2…128/);
  assert.equal(parseTaskEvent(withTask({ Name: 'w1' })).Task.Name, 'w1');
  refuses(withTask({ Name: 'w'.repeat(129) }), /Task\.Name: at most 128 characters, got 129/);
});

test('an ID that is not letters, digits, "_", "." or "-" is refused', { timeout: 10_000 }, () => {
  refuses(withTask({ ID: '../etc' }), /Task\.ID: "\.\.\/etc" is not an id of 1…128 letters, digits/);
  refuses(withTask({ ID: '..' }), /Task\.ID: "\.\." is not an id/);
  refuses(withTask({ ID: '.' }), /Task\.ID: "\." is not an id/);
  refuses(withTask({ ID: 12 }), /Task\.ID: expected a string, got 12 \(number\)/);
});

test('every id nanoid can make is accepted, including a leading "-" or "_"', { timeout: 10_000 }, () => {
  for (const ID of ['-D9oFFXnF8liWK6s-wnI7', '_abc', 'a.b', '21b23589-5d2d-4731-b5c9-a97e9832d021']) {
    assert.equal(parseTaskEvent(withTask({ ID })).Task.ID, ID);
  }
});

test('sizes and CPUs as Docker writes them are read into bytes and CPUs', { timeout: 10_000 }, () => {
  const task = parseTaskEvent(withTask({ Memory: '64m', Disk: '1.5g', Cpu: '0.5' })).Task;
  assert.equal(task.Memory, 64 * 1024 * 1024);
  assert.equal(task.Disk, 1.5 * 1024 ** 3);
  assert.equal(task.Cpu, 0.5);
  assert.equal(parseTaskEvent(withTask({ Memory: '8192KB' })).Task.Memory, 8192 * 1024);
  assert.equal(parseTaskEvent(withTask({ Memory: 67108864 })).Task.Memory, 67108864, 'bytes as before');
  refuses(withTask({ Memory: '4m' }), /Task\.Memory: 4194304 bytes is below Docker's minimum/);
});

test('wrong types for Cpu, Memory, Disk and State are refused', { timeout: 10_000 }, () => {
  refuses(withTask({ Cpu: 'half' }), /Task\.Cpu: expected a number \(CPUs: 1\.5 \(or "1\.5"\) is one and a half cores\), got "half"/);
  refuses(withTask({ Cpu: -1 }), /Task\.Cpu: -1 is out of range 0…1024/);
  refuses(withTask({ Memory: '64x' }), /Task\.Memory: expected an integer \(bytes, or a size as Docker writes it: "64m", "512k", "1g"\), got "64x"/);
  refuses(withTask({ Memory: 7340032.5 }), /Task\.Memory: expected a whole number of bytes, or a size/);
  refuses(withTask({ Disk: true }), /Task\.Disk: expected an integer \(bytes, or a size as Docker writes it/);
  refuses(withTask({ Disk: -5 }), /Task\.Disk: -5 is out of range/);
  refuses(withTask({ State: '1' }), /Task\.State: expected an integer \(a State 0…4\), got "1"/);
  refuses(withTask({ State: 5 }), /Task\.State: 5 is out of range 0…4/);
  refuses({ ...withTask({}), State: 'Running' }, /^State: expected an integer \(a State 0…4\), got "Running"/);
  refuses({ ...withTask({}), State: 1.5 }, /^State: expected a whole number of a State 0…4, got 1\.5/);
});

test('a wrong RestartPolicy is refused with the choices', { timeout: 10_000 }, () => {
  refuses(withTask({ RestartPolicy: 'never' }), /Task\.RestartPolicy: expected one of "", "always", "unless-stopped", "on-failure", got "never"/);
  refuses(withTask({ RestartPolicy: null }), /Task\.RestartPolicy: expected one of .*, got null/);
});

test('wrong types for Env and Cmd are refused', { timeout: 10_000 }, () => {
  refuses(withTask({ Env: 'A=1' }), /Task\.Env: expected a list of strings, got "A=1"/);
  refuses(withTask({ Env: { A: '1' } }), /Task\.Env: expected a list of strings, got an object/);
  refuses(withTask({ Env: ['A=1', 'B'] }), /Task\.Env\[1\]: "B" is not a "KEY=value" entry/);
  refuses(withTask({ Env: ['=1'] }), /Task\.Env\[0\]: "=1" is not a "KEY=value" entry/);
  refuses(withTask({ Cmd: 'echo hi' }), /Task\.Cmd: expected a list of strings, got "echo hi"/);
  refuses(withTask({ Cmd: ['echo', 1] }), /Task\.Cmd\[1\]: expected a string, got 1 \(number\)/);
  refuses(withTask({ Cmd: ['a\0b'] }), /Task\.Cmd\[0\]: .* is not an argument without NUL bytes/);
});

test('wrong types for ExposedPorts and PortBindings are refused', { timeout: 10_000 }, () => {
  refuses(withTask({ ExposedPorts: ['7777/tcp'] }), /Task\.ExposedPorts: expected an object keyed by "PORT\/PROTO" like "7777\/tcp", got an array/);
  refuses(withTask({ ExposedPorts: '7777/tcp' }), /Task\.ExposedPorts: expected an object keyed by "PORT\/PROTO"/);
  refuses(withTask({ ExposedPorts: { '7777/tcp': true } }), /Task\.ExposedPorts\["7777\/tcp"\]: expected \{\}, got true \(boolean\)/);
  refuses(withTask({ PortBindings: '7777:7777' }), /Task\.PortBindings: expected an object keyed by "PORT\/PROTO"/);
});

test('a PortBindings value given as a number is refused', { timeout: 10_000 }, () => {
  refuses(
    withTask({ ExposedPorts: { '7777/tcp': {} }, PortBindings: { '7777/tcp': 7777 } }),
    /Task\.PortBindings\["7777\/tcp"\]: expected a host port as a string like "7777" \(or "" to let Docker pick\), got 7777 \(number\)/,
  );
  refuses(withTask({ PortBindings: { '7777/tcp': '70000' } }), /Task\.PortBindings\["7777\/tcp"\]: expected a host port as a string/);
});

test('a port key without a protocol, or with port 0 or 70000, is refused', { timeout: 10_000 }, () => {
  const keyProblem = (key: string) =>
    new RegExp(`key ${JSON.stringify(key).replace(/[/]/g, '\\/')} is not "PORT\\/PROTO" with PORT 1…65535 and PROTO tcp, udp or sctp`);
  refuses(withTask({ ExposedPorts: { '7777': {} } }), /Task\.ExposedPorts: /, keyProblem('7777'));
  refuses(withTask({ PortBindings: { '7777': '7777' } }), /Task\.PortBindings: /, keyProblem('7777'));
  refuses(withTask({ ExposedPorts: { '0/tcp': {} } }), /Task\.ExposedPorts: /, keyProblem('0/tcp'));
  refuses(withTask({ ExposedPorts: { '70000/tcp': {} } }), /Task\.ExposedPorts: /, keyProblem('70000/tcp'));
  refuses(withTask({ ExposedPorts: { '7777/http': {} } }), keyProblem('7777/http'));
  refuses(withTask({ ExposedPorts: { '07777/tcp': {} } }), keyProblem('07777/tcp'));
  assert.ok(parseTaskEvent(withTask({ ExposedPorts: { '65535/sctp': {}, '1/udp': {} } })));
});

test('Memory below 6 MiB but above 0 is refused', { timeout: 10_000 }, () => {
  refuses(withTask({ Memory: 1024 * 1024 }), /Task\.Memory: 1048576 bytes is below Docker's minimum of 6291456 \(6 MiB\); use 0 for no limit/);
  refuses(withTask({ Memory: 6 * 1024 * 1024 - 1 }), /Task\.Memory: 6291455 bytes is below/);
  refuses(withTask({ Memory: 1 }), /Task\.Memory: 1 bytes is below/);
});

test('a HealthCheck that is not a path is refused', { timeout: 10_000 }, () => {
  const ports = { ExposedPorts: { '7777/tcp': {} } };
  refuses(withTask({ ...ports, HealthCheck: 'health' }), /Task\.HealthCheck: "health" is not a URL path starting with "\/", like "\/health"/);
  refuses(withTask({ ...ports, HealthCheck: 'http://x/health' }), /Task\.HealthCheck: "http:\/\/x\/health" is not a URL path/);
  refuses(withTask({ ...ports, HealthCheck: '/he alth' }), /Task\.HealthCheck: "\/he alth" is not a URL path starting with "\/"/);
  refuses(withTask({ ...ports, HealthCheck: '/health\n' }), /Task\.HealthCheck: .* is not a URL path/);
  refuses(withTask({ ...ports, HealthCheck: 200 }), /Task\.HealthCheck: expected a string, got 200 \(number\)/);
});

test('a HealthCheck without any exposed port is refused; PortBindings alone are enough', { timeout: 10_000 }, () => {
  const needsPort = /Task\.HealthCheck: needs a port to call; add one to ExposedPorts, like \{"7777\/tcp": \{\}\}/;
  refuses(withTask({ HealthCheck: '/health' }), needsPort);
  refuses(withTask({ HealthCheck: '/health', ExposedPorts: {} }), needsPort);
  refuses(withTask({ HealthCheck: '/health', ExposedPorts: null, PortBindings: null }), needsPort);
  const task = parseTaskEvent(withTask({ HealthCheck: '/health', PortBindings: { '7777/tcp': '7777' } })).Task;
  assert.equal(task.HealthCheck, '/health');
  assert.equal(parseTaskEvent(withTask({ HealthCheck: '' })).Task.HealthCheck, '', 'an empty HealthCheck means none');
});

test('a Timestamp that is not RFC 3339 is refused', { timeout: 10_000 }, () => {
  for (const Timestamp of ['yesterday', '2026-01-02 15:04:05', '2026-01-02T15:04:05', '2026-01-02', '2026-13-02T15:04:05Z', 1767366245]) {
    refuses({ ...withTask({}), Timestamp }, /^Timestamp: expected an RFC 3339 time like "2026-01-02T15:04:05Z", got /);
  }
});

test('a Timestamp naming a day that does not exist is refused', { timeout: 10_000 }, () => {
  // RFC 3339 §5.7: the day must exist in its month. Date.parse rolls
  // "February 30" over to March 2 instead of refusing it.
  for (const Timestamp of ['2026-02-30T00:00:00Z', '2026-04-31T00:00:00Z', '2025-02-29T00:00:00Z']) {
    refuses({ ...withTask({}), Timestamp }, /^Timestamp: expected an RFC 3339 time/);
  }
  assert.equal(parseTaskEvent({ ...withTask({}), Timestamp: '2028-02-29T00:00:00Z' }).Timestamp, '2028-02-29T00:00:00Z', 'a leap day exists');
});

test('several problems in one body are all reported in one message, joined by "; "', { timeout: 10_000 }, () => {
  refuses(
    { Task: { Name: '-web', Cpu: 'two', Memory: 1, Privileged: true, HealthCheck: '/health' } },
    new RegExp(
      [
        '^Task: "Privileged" is not a known key \\(known keys: [^)]*\\)',
        'Task\\.Name: "-web" is not a container name[^;]*',
        'Task\\.Cpu: expected a number [^;]*',
        "Task\\.Memory: 1 bytes is below Docker's minimum of 6291456 \\(6 MiB\\); use 0 for no limit",
        'Task\\.Image: required[^;]*',
        'Task\\.HealthCheck: needs a port to call; add one to ExposedPorts, like \\{"7777/tcp": \\{\\}\\}$',
      ].join('; '),
    ),
  );
  refuses(
    { State: 'x', Timestamp: 'now', Extra: 1 },
    /^"Extra" is not a known key \(known keys: ID, State, Timestamp, Task\); State: expected an integer [^;]*; Timestamp: expected an RFC 3339 time [^;]*; Task: required[^;]*$/,
  );
});

test('Mounts: volumes, binds and tmpfs are read with every key filled; sizes as Docker writes them', { timeout: 10_000 }, () => {
  const task = parseTask({
    Image: 'strm/helloworld-http',
    Mounts: [
      { Type: 'volume', Source: 'pgdata', Target: '/var/lib/postgresql/data' },
      { Type: 'bind', Source: '/srv/cube/in', Target: '/in', ReadOnly: true },
      { Type: 'tmpfs', Target: '/scratch', Size: '64m' },
    ],
  });
  assert.deepEqual(task.Mounts, [
    { Type: 'volume', Source: 'pgdata', Target: '/var/lib/postgresql/data', ReadOnly: false, Size: 0 },
    { Type: 'bind', Source: '/srv/cube/in', Target: '/in', ReadOnly: true, Size: 0 },
    { Type: 'tmpfs', Source: '', Target: '/scratch', ReadOnly: false, Size: 64 * 2 ** 20 },
  ]);
  assert.deepEqual(parseTask({ Image: 'x' }).Mounts, [], 'none by default');
});

test('Mounts: every bad key or value is refused, naming its path', { timeout: 10_000 }, () => {
  const refused = (Mounts: unknown) => {
    try {
      parseTask({ Image: 'strm/helloworld-http', Mounts });
    } catch (error) {
      assert.ok(error instanceof ValidationError);
      return error.message;
    }
    assert.fail(`accepted ${JSON.stringify(Mounts)}`);
  };
  assert.match(refused('pgdata:/data'), /^Task\.Mounts: expected a list of mounts/);
  assert.match(refused([{ Type: 'nfs', Source: 'a', Target: '/d' }]), /^Task\.Mounts\[0\]\.Type: expected one of "volume", "bind", "tmpfs", got "nfs"/);
  assert.match(refused([{ Type: 'volume', Source: 'ab', Target: '/d', Driver: 'x' }]), /^Task\.Mounts\[0\]: "Driver" is not a key of a mount/);
  assert.match(refused([{ Type: 'volume', Source: '../x', Target: '/d' }]), /^Task\.Mounts\[0\]\.Source: expected a volume name/);
  assert.match(refused([{ Type: 'volume', Source: 'ab', Target: 'd' }]), /^Task\.Mounts\[0\]\.Target: "d" is not where the mount appears/);
  assert.match(refused([{ Type: 'volume', Source: 'ab', Target: '/' }]), /^Task\.Mounts\[0\]\.Target: "\/" is the container's root/);
  assert.match(
    refused([{ Type: 'bind', Source: '/srv/../etc', Target: '/d' }]),
    /^Task\.Mounts\[0\]\.Source: "\/srv\/\.\.\/etc" is not the host path to bind written plainly/,
  );
  assert.match(refused([{ Type: 'bind', Target: '/d' }]), /^Task\.Mounts\[0\]\.Source: required, the host path to bind/);
  assert.match(refused([{ Type: 'tmpfs', Source: 'x', Target: '/d' }]), /^Task\.Mounts\[0\]\.Source: a tmpfs has no source/);
  assert.match(refused([{ Type: 'tmpfs', Target: '/d', Size: 'big' }]), /^Task\.Mounts\[0\]\.Size: expected bytes, or a size/);
  assert.match(refused([{ Type: 'volume', Source: 'ab', Target: '/d', Size: 5 }]), /^Task\.Mounts\[0\]\.Size: only a tmpfs mount has a size/);
  assert.match(refused([{ Type: 'volume', Source: 'ab', Target: '/d', ReadOnly: 'yes' }]), /^Task\.Mounts\[0\]\.ReadOnly: expected true or false/);
  assert.match(
    refused([
      { Type: 'volume', Source: 'ab', Target: '/d' },
      { Type: 'tmpfs', Target: '/d/' },
    ]),
    /^Task\.Mounts\[1\]\.Target: "\/d" is the target of Task\.Mounts\[0\] too/,
  );
});

test('Constraints parse by their grammar, and a bad one is refused naming the key and the entry', { timeout: 10_000 }, () => {
  const task = parseTask({
    Image: 'strm/helloworld-http',
    Constraints: ['zone==a', 'disk != hdd', 'Name==127.0.0.1:5555', 'zone in (a, b)', 'rack not in (r1)'],
  });
  assert.deepEqual(task.Constraints, ['zone==a', 'disk != hdd', 'Name==127.0.0.1:5555', 'zone in (a, b)', 'rack not in (r1)']);
  const refused = (Constraints: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseTask({ Image: 'strm/helloworld-http', Constraints }),
      (e: Error) => pattern.test(e.message),
      String(pattern),
    );
  refused(['zone=a'], /^Task\.Constraints\[0\]: "zone=a" is not a constraint; write key==value/);
  refused(['zone==a', 'zone in ()'], /^Task\.Constraints\[1\]: "zone in \(\)": a value is required/);
  refused(['zo ne==a'], /^Task\.Constraints\[0\]: "zo ne==a" is not a constraint/);
  refused(['zone==a b'], /is not a constraint/);
  refused('zone==a', /^Task\.Constraints: expected a list of constraints/);
  refused([7], /^Task\.Constraints\[0\]: expected a string/);
  assert.throws(() => parseTask({ Image: 'strm/helloworld-http', Spread: 'zone' }), /Task\.Spread: only a service's copies spread/);
});
