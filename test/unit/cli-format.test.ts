// The pure parts of the client commands: human times, amounts and ports, the
// table layout, the views of `cube status` and `cube node`, the lines of
// `cube run`, the task file, and the manager address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/args.js';
import { ago, bytes, bytesOf, cpuOf, elapsed, isZeroTime, ports, resources, shortContainer, stateLabel, truncate } from '../../src/cli/format.js';
import { reachError } from '../../src/cli/manager-client.js';
import { managerUrl } from '../../src/cli/manager-list.js';
import { align, fields, table } from '../../src/cli/table.js';
import { parseTaskFile } from '../../src/cli/task-file.js';
import { eventLine } from '../../src/cli/commands/events.js';
import { failedLine, historyLines, liveLine, nodeTable, runningLine, statusTable, taskDetail, timeoutLine } from '../../src/cli/views.js';
import type { NodeView } from '../../src/manager/views/node-view.js';
import { newTask, ZERO_TIME, type Task } from '../../src/vocabulary/task.js';

const now = Date.parse('2026-01-10T12:00:00Z');
const before = (ms: number) => new Date(now - ms).toISOString();
const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('ago: the largest whole unit, "just now" within a second, "-" for no time', { timeout: 10_000 }, () => {
  assert.equal(ago(before(12 * s), now), '12s ago');
  assert.equal(ago(before(59.9 * s), now), '59s ago');
  assert.equal(ago(before(60 * s), now), '1m ago');
  assert.equal(ago(before(5 * m + 59 * s), now), '5m ago');
  assert.equal(ago(before(3 * h + 10 * m), now), '3h ago');
  assert.equal(ago(before(23 * h + 59 * m), now), '23h ago');
  assert.equal(ago(before(2 * d + 5 * h), now), '2d ago');
  assert.equal(ago(before(400), now), 'just now');
  assert.equal(ago(before(-30 * s), now), 'in 30s', 'a manager clock ahead of ours');
  assert.equal(ago(ZERO_TIME, now), '-');
  assert.equal(ago('', now), '-');
  assert.equal(ago('not a date', now), '-');
  assert.equal(isZeroTime('0001-01-01T00:00:00.000Z'), true);
  assert.equal(isZeroTime('2026-01-10T12:00:00Z'), false);
});

test('elapsed: tenths under ten seconds, then seconds, then minutes and seconds', { timeout: 10_000 }, () => {
  assert.equal(elapsed(0), '0.0s');
  assert.equal(elapsed(1234), '1.2s');
  assert.equal(elapsed(12_900), '12s');
  assert.equal(elapsed(125_000), '2m05s');
});

test('bytes: binary units, one decimal below 100 without a trailing .0', { timeout: 10_000 }, () => {
  assert.equal(bytes(0), '0 B');
  assert.equal(bytes(512), '512 B');
  assert.equal(bytes(1536), '1.5 KiB');
  assert.equal(bytes(64 * 1024 * 1024), '64 MiB');
  assert.equal(bytes(25_276_510_208), '23.5 GiB');
  assert.equal(bytes(270_553_174_016), '252 GiB');
  assert.equal(bytes(1e15), '909 TiB');
  assert.equal(bytesOf(2.1 * 2 ** 30, 23.5 * 2 ** 30), '2.1/23.5 GiB', 'one unit when they share it');
  assert.equal(bytesOf(512 * 2 ** 20, 23.5 * 2 ** 30), '512 MiB/23.5 GiB');
  assert.equal(bytesOf(0, 0), '-', 'unknown before the first heartbeat');
});

test('cpuOf and resources say amounts in words', { timeout: 10_000 }, () => {
  assert.equal(cpuOf(0.583, 2), '58% of 2 cores');
  assert.equal(cpuOf(1, 1), '100% of 1 core');
  assert.equal(cpuOf(0, 0), '-');
  assert.equal(resources({ Cpu: 0.5, Memory: 64 * 2 ** 20, Disk: 0 }), '0.5 CPU, 64 MiB memory');
  assert.equal(resources({ Cpu: 0, Memory: 0, Disk: 0 }), '-');
});

test('ports: IPv4 and IPv6 bindings of one port fold into one; other ports and specific addresses are kept', { timeout: 10_000 }, () => {
  assert.equal(
    ports({
      '80/tcp': [
        { HostIp: '0.0.0.0', HostPort: '49155' },
        { HostIp: '::', HostPort: '49155' },
      ],
    }),
    '80/tcp→49155',
  );
  assert.equal(
    ports({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '7777/tcp': [{ HostIp: '', HostPort: '7777' }], '53/udp': [] }),
    '80/tcp→127.0.0.1:8080, 7777/tcp→7777',
  );
  assert.equal(ports({ '80/tcp': [{ HostIp: '::1', HostPort: '9' }] }), '80/tcp→[::1]:9');
  assert.equal(
    ports({
      '80/tcp': [
        { HostIp: '::', HostPort: '32793' },
        { HostIp: '0.0.0.0', HostPort: '32794' },
      ],
    }),
    '80/tcp→32794 or [::]:32793',
    'Docker may give IPv6 another port: IPv4 first, both shown',
  );
  assert.equal(ports(null), '');
});

test('stateLabel names the State, and the finer state when it says more', { timeout: 10_000 }, () => {
  assert.equal(stateLabel({ State: 2, StateName: 'running' }), 'Running');
  assert.equal(stateLabel({ State: 2, StateName: 'stopping' }), 'Running (stopping)');
  assert.equal(stateLabel({ State: 4, StateName: 'restarting' }), 'Failed (restarting)');
  assert.equal(stateLabel({ State: 0, StateName: 'pending' }), 'Pending');
  assert.equal(stateLabel({ State: 3 } as Task), 'Completed', 'a Task without StateName (a plain SPEC client)');
  assert.equal(shortContainer('3c7c2853331118397b2a4e1bb6f23fcab6dc81e3'), '3c7c28533311');
  assert.equal(shortContainer(''), '-');
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 4), 'abc');
});

test('table: columns padded to the widest cell, counted in characters, no trailing spaces', { timeout: 10_000 }, () => {
  assert.equal(
    table(
      ['A', 'LONG HEADER', 'C'],
      [
        ['xx→', 'y', ''],
        ['x', 'yyyyyyyyyyyyy', 'z'],
      ],
    ),
    'A     LONG HEADER     C\nxx→   y\nx     yyyyyyyyyyyyy   z\n',
  );
  assert.equal(
    align(
      [
        ['1s ago', 'Started', 'a b'],
        ['12s ago', 'Not Placed', 'c'],
      ],
      2,
    ),
    '1s ago   Started     a b\n12s ago  Not Placed  c\n',
  );
  assert.equal(
    fields([
      ['ID', 'x'],
      ['Container', ''],
      ['Name', 'n'],
    ]),
    'ID         x\nContainer\nName       n\n',
  );
});

const task = (fields: Partial<Task> = {}): Task =>
  newTask({
    ID: 'task-1',
    Name: 'web',
    Image: 'strm/helloworld-http',
    State: 2,
    StateName: 'running',
    ContainerID: '3c7c2853331118397b2a4e1bb6f23fcab6dc81e3d0ea600c9b2d1f90f9d67389',
    SubmitTime: before(12 * s),
    StartTime: before(11 * s),
    Worker: 'w1',
    HostPorts: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '49155' }] },
    Events: [
      { Time: before(12 * s), Type: 'Received', Message: 'received by the manager: strm/helloworld-http' },
      { Time: before(11 * s), Type: 'Started', Message: 'container 3c7c28533311 started' },
    ],
    ...fields,
  });

test('statusTable: the columns of docs/spec.md §5 and WORKER; a sentence, not [], when empty', { timeout: 10_000 }, () => {
  const out = statusTable(
    [task(), task({ ID: 'task-22', Name: '', State: 4, StateName: 'restarting', ContainerID: '', RestartCount: 2, Worker: '', SubmitTime: ZERO_TIME })],
    now,
  );
  assert.equal(
    out,
    [
      'ID        NAME   CREATED   STATE                 CONTAINER      IMAGE                  RESTARTS   WORKER',
      'task-1    web    12s ago   Running               3c7c28533311   strm/helloworld-http   0          w1',
      'task-22   -      -         Failed (restarting)   -              strm/helloworld-http   2          -',
      '',
    ].join('\n'),
  );
  assert.equal(statusTable([], now), 'no tasks yet; run one with: cube run -f task.json\n');
});

test('statusTable: 12-character IDs and IMAGE cut to fit 120 columns, as docker ps; everything whole with --no-trunc', { timeout: 10_000 }, () => {
  const uuid = '3f2a9c1b-7d4e-4a1b-9c2d-0123456789ab';
  const rows = [
    task({ ID: uuid, Name: 'helloworld-http-3f2a', Worker: 'builder-7.example.org:5555' }),
    task({ ID: `9${uuid.slice(1)}`, Name: 'helloworld-http-9f2a', State: 4, StateName: 'restarting', Worker: 'builder-7.example.org:5555' }),
    task({ ID: '6be4cb6b-61d1-40cb-bc7b-000000000003', Name: 'web.0.1.6be4cb', Service: 'web' }),
  ];
  const lines = statusTable(rows, now).trimEnd().split('\n');
  assert.ok(Math.max(...lines.map((l) => [...l].length)) <= 120, lines.join('\n'));
  assert.deepEqual(
    lines.map((l) => l.split(/ {3,}/)[0]),
    ['ID', '3f2a9c1b-7d4', '9f2a9c1b-7d4', '000000000003'],
    "a copy of a service by its ID's last group: its start is the service's",
  );
  assert.match(lines[1]!, / strm\/[a-z-]*… .* builder-7[a-z.-]*…$/, 'the image and the worker are what is cut');
  const whole = statusTable(rows, now, true);
  assert.ok(whole.includes(uuid) && whole.includes(rows[0]!.ContainerID) && whole.includes('strm/helloworld-http'));
});

test('taskDetail: the fields that matter, then the history as "12s ago  Type  message"', { timeout: 10_000 }, () => {
  const out = taskDetail(task({ Reason: 'health check failed', ExitCode: 137, RestartPolicy: 'always', Memory: 64 * 2 ** 20 }), now);
  assert.match(out, /^ID {9}task-1$/m);
  assert.match(out, /^State {6}Running$/m);
  assert.match(out, /^Container {2}3c7c2853331118397b2a4e1bb6f23fcab6dc81e3d0ea600c9b2d1f90f9d67389$/m);
  assert.match(out, /^Ports {6}80\/tcp→49155$/m);
  assert.match(out, /^Created {4}12s ago \(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/m);
  assert.match(out, /^Finished {3}-$/m);
  assert.match(out, /^Restarts {3}0 \(policy always\)$/m);
  assert.match(out, /^Resources {2}64 MiB memory$/m);
  assert.match(out, /^Exit code {2}137$/m);
  assert.match(out, /^Reason {5}health check failed$/m);
  assert.ok(
    out.endsWith(
      'History (oldest first):\n12s ago  Received  received by the manager: strm/helloworld-http\n11s ago  Started   container 3c7c28533311 started\n',
    ),
    out,
  );
  assert.equal(historyLines([], now), '(no history yet)\n');
});

const node = (fields: Partial<NodeView> = {}): NodeView => ({
  Name: 'w1',
  Address: '127.0.0.1:5555',
  Draining: false,
  Joined: false,
  State: 'up',
  Since: before(h),
  LastSeen: before(3 * s),
  Problem: '',
  Protocol: 'cube',
  MemoryTotal: 23.5 * 2 ** 30,
  MemoryAvailable: 22.7 * 2 ** 30,
  DiskTotal: 252 * 2 ** 30,
  DiskFree: 79.4 * 2 ** 30,
  CpuCount: 2,
  CpuUsage: 0.26,
  LoadAverage: [0, 0, 0],
  TaskCount: 9, // the heartbeat's, not shown: TASKS is the manager's current count
  Runtime: 'up',
  Reserved: { Cpu: 0, Memory: 0, Disk: 0, Tasks: 4 },
  Capacity: { Cpu: 2, Memory: 23.5 * 2 ** 30, Disk: 79.4 * 2 ** 30 },
  Labels: {},
  LabelEdits: {},
  Ip: '127.0.0.1',
  Api: 'http://127.0.0.1:5555',
  Memory: Math.floor((23.5 * 2 ** 30) / 1024),
  MemoryAllocated: 0,
  Disk: 252 * 2 ** 30,
  DiskAllocated: 0,
  Role: 'worker',
  Stats: null,
  ...fields,
});

test('nodeTable: amounts in human units, last seen in words, PROBLEM only when a node has one', { timeout: 10_000 }, () => {
  assert.equal(
    nodeTable([node({ Reserved: { Cpu: 1.5, Memory: 6 * 2 ** 30, Disk: 0, Tasks: 4 }, Labels: { zone: 'a', disk: 'ssd' } })], now),
    'NAME   ADDRESS          PROTOCOL   STATE   MEMORY               DISK                CPU              ALLOCATED                TASKS   LABELS            LAST SEEN\n' +
      'w1     127.0.0.1:5555   cube       up      22.7/23.5 GiB free   79.4/252 GiB free   26% of 2 cores   1.5/2 CPUs, 6/23.5 GiB   4       disk=ssd,zone=a   3s ago\n',
  );
  const down = node({
    Name: 'w2',
    Protocol: 'book',
    State: 'down',
    LastSeen: '',
    Problem: 'no heartbeat for 15 s (w2:5555: ECONNREFUSED)',
    MemoryTotal: 0,
    DiskTotal: 0,
    CpuCount: 0,
    Reserved: { Cpu: 0, Memory: 0, Disk: 0, Tasks: 0 },
    Capacity: { Cpu: 0, Memory: 0, Disk: 0 },
  });
  const out = nodeTable([node(), down], now).split('\n');
  assert.match(out[0]!, /LAST SEEN {3}PROBLEM$/);
  assert.match(out[1]!, /3s ago$/, 'no problem shown for a node that is up');
  assert.match(out[2]!, /^w2\s+127\.0\.0\.1:5555\s+book\s+down\s+-\s+-\s+-\s+-\s+0\s+-\s+never\s+no heartbeat for 15 s \(w2:5555: ECONNREFUSED\)$/);
  assert.match(nodeTable([], now), /^no workers/);
});

test('the lines of cube run: running, failed, timed out, and the live line', { timeout: 10_000 }, () => {
  assert.equal(runningLine(task()), 'task task-1 is running on worker w1 (container 3c7c28533311, ports 80/tcp→49155)');
  assert.equal(runningLine(task({ HostPorts: null })), 'task task-1 is running on worker w1 (container 3c7c28533311)');
  const failed = task({
    State: 4,
    StateName: 'failed',
    Reason: 'no worker has room for the task: w1 has 1 GiB of 2 GiB memory unreserved, the task asks 4 GiB',
  });
  assert.equal(failedLine(failed), `task task-1 failed: ${failed.Reason}`);
  assert.match(
    failedLine({ ...failed, StateName: 'restarting', RestartCount: 1 }),
    /; Cube restarts it \(restarts so far: 1\); watch it with: cube status task-1$/,
  );
  const pending = task({ State: 0, StateName: 'pending', Reason: 'waiting for a worker to be up: w1 down' });
  assert.equal(
    timeoutLine(pending, 'task-1', '5m'),
    'task task-1 is still Pending after 5m (waiting for a worker to be up: w1 down); Cube keeps at it: watch it with: cube status task-1',
  );
  assert.equal(liveLine(pending, 0, 1500, 80), '⠋ Pending  1.5s  waiting for a worker to be up: w1 down');
  assert.equal(liveLine(task({ State: 1, StateName: 'scheduled' }), 1, 200, 80), '⠙ Scheduled  0.2s  container 3c7c28533311 started');
  assert.equal([...liveLine(pending, 2, 0, 20)].length, 19, 'never wider than the terminal, so \\r rewrites it');
});

test('parseTaskFile: a TaskEvent as it is, a bare Task wrapped, and errors that name the file', { timeout: 10_000 }, () => {
  assert.deepEqual(parseTaskFile('{"ID": "e", "State": 2, "Task": {"Image": "x"}}', 'task.json'), { ID: 'e', State: 2, Task: { Image: 'x' } });
  assert.deepEqual(parseTaskFile('{"Image": "x", "Name": "n"}', 'task.json'), { Task: { Image: 'x', Name: 'n' } });
  assert.throws(
    () => parseTaskFile('{"Image": ', '"t.json"'),
    (e: Error) => e instanceof UsageError && /^task file "t\.json" is not valid JSON/.test(e.message),
  );
  assert.throws(() => parseTaskFile('  ', '"t.json"'), /task file "t\.json" is empty/);
  assert.throws(() => parseTaskFile('[1]', '"t.json"'), /should hold one JSON object.*not a list/);
});

test('managerUrl: host:port, a bare host on 5556, or a URL; anything else is a usage error naming its source', { timeout: 10_000 }, () => {
  assert.equal(managerUrl('localhost:5556', '-m'), 'http://localhost:5556');
  assert.equal(managerUrl('10.0.0.5', '-m'), 'http://10.0.0.5:5556');
  assert.equal(managerUrl('[::1]:7000', '-m'), 'http://[::1]:7000');
  assert.equal(managerUrl('https://cube.example.com/', '-m'), 'https://cube.example.com');
  assert.throws(
    () => managerUrl('a b', 'CUBE_MANAGER'),
    (e: Error) => e instanceof UsageError && /^CUBE_MANAGER: "a b" is not host:port/.test(e.message),
  );
  assert.throws(() => managerUrl('host:99999', '-m/--manager'), /is not host:port/);
});

test('reachError: the error code of a request that got no answer, in a word or two', { timeout: 10_000 }, () => {
  const failed = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5556`), { code });
  assert.equal(reachError(failed('ECONNREFUSED'), 30_000), 'ECONNREFUSED');
  assert.equal(reachError(failed('ENOTFOUND'), 30_000), 'ENOTFOUND');
  const both = Object.assign(new AggregateError([failed('ECONNREFUSED'), failed('ECONNREFUSED')]), { code: undefined });
  assert.equal(reachError(both, 30_000), 'ECONNREFUSED', 'localhost tried on ::1 and 127.0.0.1');
  assert.equal(reachError(failed('ETIMEDOUT'), 30_000), 'connection timed out');
  assert.equal(reachError(failed('ECONNRESET'), 30_000), 'the connection was closed');
  assert.equal(reachError(new DOMException('x', 'TimeoutError'), 30_000), 'no answer in 30s');
});

test('eventLine: a task by its name, else the start of its ID; a worker or the manager by what it is', { timeout: 10_000 }, () => {
  const id = '3f2a9c1b-7d4e-4a1b-9c2d-0123456789ab';
  const entry = { Time: '2026-01-10T12:00:00Z', Type: 'Started', Message: 'container 3c7c28533311 started', Task: id };
  const line = eventLine(entry, new Map([[id, 'helloworld-http-3f2a']]));
  assert.match(line, /^\d\d:\d\d:\d\d {2}helloworld-http-3f2a {3}Started {13}container 3c7c28533311 started$/);
  assert.match(eventLine(entry), / {2}3f2a9c1b-7d4 {11}Started /, 'a task no longer listed');
  assert.match(eventLine({ Time: entry.Time, Type: 'Worker Down', Message: 'gone', Worker: 'w1' }), / {2}worker w1 {14}Worker Down /);
});
