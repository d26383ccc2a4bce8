// The book's protocol without the network: reading what the book's worker
// answered (docs/examples/book/), its quirks and what it must not get away
// with; converting its tasks and stats; counting CPUs from jiffies; the
// book's keys in Cube's /stats and /nodes; and the book's E-PVM of the test peer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { totalmem } from 'node:os';
import { bookTaskEvent, statsFromBook, taskFromBook } from '../../src/book/convert.js';
import { CpuMeter } from '../../src/book/cpu-meter.js';
import { sampleBookStats } from '../../src/book/proc-stats.js';
import { AnswerError, parseAnswer, readBookStats, readBookTasks } from '../../src/book/read.js';
import type { BookCpuStats } from '../../src/book/shapes.js';
import { nodeView } from '../../src/manager/views/node-view.js';
import { emptyHeld } from '../../src/scheduler/index.js';
import { newTask, ZERO_TIME } from '../../src/vocabulary/task.js';
import { bookCpuUsage, bookEpvmScore, type BookNode } from '../helpers/book-manager.js';
import { bookRecording } from '../helpers/examples.js';
import { workerStats } from '../helpers/stats.js';

const read = <T>(reader: (value: unknown) => T, text: string) => reader(parseAnswer(text));

test('the recorded answers read as they are: null is no tasks, a running task keeps its ports and zero times', { timeout: 10_000 }, () => {
  assert.deepEqual(read(readBookTasks, bookRecording('tasks-empty.json').body), []);
  const [task] = read(readBookTasks, bookRecording('tasks-running.json').body);
  assert.equal(task!.State, 2);
  assert.equal(task!.StartTime, ZERO_TIME);
  assert.deepEqual(task!.HostPorts!['80/tcp'], [
    { HostIp: '0.0.0.0', HostPort: '32815' },
    { HostIp: '::', HostPort: '32815' },
  ]);
  assert.equal(task!.ExposedPorts, null);
  const cube = taskFromBook(task!, 'b1');
  assert.equal(cube.StateName, 'running');
  assert.equal(cube.Worker, 'b1');
  assert.deepEqual(cube.Events, [], 'the book keeps no history; the proxy adds what it sees');

  const stats = read(readBookStats, bookRecording('stats.json').body);
  assert.equal(stats.MemStats.mem_total, 24683656);
  assert.equal(stats.DiskStats.freeInodes, 16218457);
  assert.equal(stats.CpuStats.id, 'cpu');
  assert.equal(stats.LoadStats.last_pid, 1419);
});

test('missing keys and nulls read as zeros and empties; Go’s nanosecond times are times', { timeout: 10_000 }, () => {
  const [bare] = read(readBookTasks, `[{"ID":"${randomUUID()}","StartTime":"2026-01-02T15:04:05.123456789Z","HostPorts":null}]`);
  assert.deepEqual([bare!.Name, bare!.State, bare!.Cpu, bare!.PortBindings, bare!.FinishTime], ['', 0, 0, null, ZERO_TIME]);
  assert.equal(bare!.StartTime, '2026-01-02T15:04:05.123456789Z');
  const stats = read(readBookStats, '{"MemStats":null,"CpuStats":{"user":5}}');
  assert.equal(stats.MemStats.mem_total, 0);
  assert.equal(stats.DiskStats.all, 0);
  assert.equal(stats.CpuStats.user, 5);
});

test('an answer that does not fit is an AnswerError naming the field', { timeout: 10_000 }, () => {
  const refuses = (reader: (value: unknown) => unknown, text: string, message: RegExp) =>
    assert.throws(
      () => read(reader, text),
      (e: Error) => e instanceof AnswerError && message.test(e.message),
      text,
    );
  refuses(readBookTasks, '[null]', /^\[0\]: expected a task object, got null$/);
  refuses(readBookTasks, '{"ID":"x"}', /^expected a list of tasks \(or null\), got an object$/);
  refuses(readBookTasks, `[{"ID":"${randomUUID()}","State":"2"}]`, /^\[0\]\.State: expected a whole number ≥ 0, got "2"$/);
  refuses(readBookTasks, `[{"ID":"${randomUUID()}","State":7}]`, /^\[0\]\.State: expected 0…4, got 7$/);
  refuses(readBookTasks, '[{"ID":"../../etc"}]', /^\[0\]\.ID: expected a task ID/);
  refuses(readBookTasks, '[{"Name":"no id"}]', /^\[0\]\.ID: expected a task ID \(a UUID in the book\), got ""$/);
  refuses(
    readBookTasks,
    `[{"ID":"${randomUUID()}","HostPorts":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":80}]}}]`,
    /^\[0\]\.HostPorts\["80\/tcp"\]\[0\]\.HostPort: expected a string/,
  );
  refuses(readBookTasks, `[{"ID":"${randomUUID()}","ExposedPorts":{"http":{}}}]`, /^\[0\]\.ExposedPorts\["http"\]: not a port like "80\/tcp"$/);
  refuses(readBookTasks, `[{"ID":"${randomUUID()}","StartTime":"yesterday"}]`, /^\[0\]\.StartTime: expected an RFC 3339 time/);
  refuses(readBookStats, 'null', /^null: the worker has no stats yet$/);
  refuses(readBookStats, '{"MemStats":{"mem_total":"24 GB"}}', /^MemStats\.mem_total: expected a number ≥ 0, got "24 GB"$/);
  refuses(readBookStats, '{"LoadStats":[1,2,3]}', /^LoadStats: expected load averages, got a list$/);
  refuses(readBookStats, '{"MemStats":{"mem_total":-1}}', /^MemStats\.mem_total: expected a number ≥ 0, got -1/);
  refuses(readBookTasks, '[{"ID":"aeaebfb9-d297', /^not JSON \(.*\): "\[\{\\"ID\\":\\"aeaebfb9-d297"$/);
  refuses(readBookTasks, '<!DOCTYPE html><html><body>Bad Gateway</body></html>', /^not JSON \(.*\): "<!DOCTYPE html><html><body>Bad Gateway<\/body><\/html>"$/);
  refuses(readBookTasks, '', /^not JSON \(.*\): an empty body$/);
});

test('a Cube task as the book takes it: its keys only, UUIDs, State 1', { timeout: 10_000 }, () => {
  const task = newTask({ ID: randomUUID(), Name: 'web', Image: 'strm/helloworld-http', Cpu: 0.5, ExposedPorts: { '80/tcp': {} }, RestartPolicy: 'always' });
  const event = bookTaskEvent(task, '2026-01-02T15:04:05Z');
  const recorded = bookRecording('post-task-response.json').json;
  assert.deepEqual(Object.keys(event.Task).sort(), Object.keys(recorded).sort());
  assert.deepEqual([event.State, event.Task.State, event.Task.Cpu, event.Task.RestartPolicy], [2, 1, 0.5, 'always']);
  assert.match(event.ID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

const jiffies = (busy: number, idle: number): BookCpuStats => ({
  id: 'cpu',
  user: busy,
  nice: 0,
  system: 0,
  idle,
  iowait: 0,
  irq: 0,
  softirq: 0,
  steal: 0,
  guest: 0,
  guest_nice: 0,
});

test('CPUs are counted from the jiffies per second; the same answer twice changes nothing; counters that go back start over', { timeout: 10_000 }, () => {
  const meter = new CpuMeter();
  assert.deepEqual(meter.read(jiffies(1000, 9000), 0), { usage: 0, count: 0 });
  assert.deepEqual(meter.read(jiffies(1050, 9150), 400), { usage: 0.25, count: 0 }, 'too short a span to count: 200 jiffies in 0.4 s');
  assert.deepEqual(meter.read(jiffies(1150, 9250), 1000), { usage: 0.5, count: 4 }, '400 jiffies in 1 s: 4 CPUs');
  assert.deepEqual(meter.read(jiffies(1150, 9250), 2000), { usage: 0.5, count: 4 }, 'a cached answer (the book refreshes every 15 s)');
  assert.deepEqual(meter.read(jiffies(1550, 11_850), 8000), { usage: 0.133, count: 4 }, '3000 jiffies since the last change, 3400 over 8 s: still 4');
  assert.deepEqual(meter.read(jiffies(10, 90), 9000), { usage: 0, count: 0 }, 'another boot, or another machine');
  const counted = new CpuMeter();
  counted.read(jiffies(0, 0), 0);
  assert.equal(counted.read(jiffies(90, 10), 1000).count, 1, 'never fewer than one');
});

test('the book’s stats as Cube’s: memory from kB, disk in bytes, CPU from the meter, the book’s keys kept', { timeout: 10_000 }, () => {
  const book = read(readBookStats, bookRecording('stats.json').body);
  const stats = statsFromBook(book, { usage: 0.4, count: 2 }, 'b1', 3);
  assert.equal(stats.MemoryTotal, 24683656 * 1024);
  assert.equal(stats.MemoryAvailable, 23039652 * 1024);
  assert.equal(stats.DiskTotal, 270553174016);
  assert.equal(stats.DiskFree, 242097233920);
  assert.deepEqual([stats.CpuUsage, stats.CpuCount, stats.TaskCount, stats.Runtime], [0.4, 2, 3, 'up']);
  assert.deepEqual(stats.LoadAverage, [21.68, 15.7, 10]);
  assert.equal(stats.MemStats, book.MemStats);
});

test('this machine’s stats in the book’s shape: the recording’s keys, in its order and units', { timeout: 10_000 }, () => {
  const sampled = sampleBookStats('/');
  const recorded = bookRecording('stats.json').json;
  for (const part of ['MemStats', 'DiskStats', 'CpuStats', 'LoadStats'] as const)
    assert.deepEqual(Object.keys(sampled[part]), Object.keys(recorded[part]), part);
  assert.equal(sampled.MemStats.mem_total * 1024, totalmem(), 'kB of the same memory');
  assert.equal(sampled.DiskStats.used + sampled.DiskStats.free, sampled.DiskStats.all);
});

test('a node in /nodes: the protocol, and the book’s keys beside Cube’s', { timeout: 10_000 }, () => {
  const book = read(readBookStats, bookRecording('stats.json').body);
  const entry = (address: string, stats: ReturnType<typeof workerStats> | null) => ({
    name: address,
    address,
    state: 'up' as const,
    since: '',
    lastSeen: '',
    problem: '',
    stats,
    draining: false,
    joined: false,
    labelEdits: {},
    held: { ...emptyHeld(), memory: 2 * 1024 * 1024, disk: 5000, tasks: 1 },
  });
  const fromBook = nodeView(entry('10.0.0.7:5555', { ...statsFromBook(book, { usage: 0, count: 2 }, 'b', 0), Protocol: 'book' }), 'http');
  assert.deepEqual(
    [fromBook.Protocol, fromBook.Ip, fromBook.Api, fromBook.Memory, fromBook.MemoryAllocated, fromBook.Disk, fromBook.DiskAllocated, fromBook.Role],
    ['book', '10.0.0.7', 'http://10.0.0.7:5555', 24683656, 2048, 270553174016, 5000, 'worker'],
  );
  assert.deepEqual(Object.keys(fromBook.Stats!), Object.keys(bookRecording('stats.json').json));
  const local = nodeView(entry('in-process', workerStats('w1')), 'https');
  assert.deepEqual([local.Protocol, local.Ip, local.Api, local.Stats], ['cube', '', '', null], 'stats without the book’s keys: no Stats');
  assert.equal(nodeView(entry('[::1]:5555', null), 'http').Protocol, 'unknown');
  assert.equal(nodeView(entry('[::1]:5555', null), 'http').Ip, '::1');
  assert.equal(nodeView(entry('[::1]:5555', null), 'https').Api, 'https://[::1]:5555', 'a manager with TLS calls its workers over HTTPS, and says so');
  // The book's manager reads these keys: the recording's node has them all.
  const recordedNode = bookRecording('manager-nodes.json').json[0];
  for (const key of Object.keys(recordedNode)) assert.ok(key in fromBook, key);
});

test('the test peer’s E-PVM is the book’s: CPU cancels out, the jobs term spreads, memory asked raises the cost', { timeout: 10_000 }, () => {
  const stats = read(readBookStats, bookRecording('stats.json').body);
  const node = (tasks: number): BookNode => ({
    Name: 'n',
    Api: '',
    Memory: stats.MemStats.mem_total,
    MemoryAllocated: 0,
    Disk: 1,
    DiskAllocated: 0,
    TaskCount: tasks,
    Stats: stats,
    Previous: stats,
    Error: '',
  });
  const L = 1.53960071783900203869;
  assert.ok(Math.abs(bookEpvmScore({ Memory: 0 }, node(0))! - 2 * (L ** 0.25 - 1)) < 1e-12, 'the jobs term alone, twice');
  assert.ok(bookEpvmScore({ Memory: 0 }, node(1))! > bookEpvmScore({ Memory: 0 }, node(0))!);
  assert.ok(bookEpvmScore({ Memory: 2 ** 30 }, node(0))! > bookEpvmScore({ Memory: 0 }, node(0))!);
  assert.equal(bookEpvmScore({ Memory: 0 }, { ...node(0), Previous: null }), undefined, 'one sample: no CPU use yet');
  const later = { ...stats, CpuStats: { ...stats.CpuStats, user: stats.CpuStats.user + 30, idle: stats.CpuStats.idle + 70 } };
  assert.equal(bookCpuUsage(stats, later), 0.3);
});
