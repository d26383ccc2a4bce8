// GET /tasks/{id}/logs against real containers: on the worker, and through the
// manager from a worker over HTTP (as with `cube manager --workers`). stdout
// and stderr stay apart, tail/since/follow do what docs/api.md says, a Failed
// task's last container can still be read, and every refusal says why. The
// answer is a stream that reads no faster than its client.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import Router from '@koa/router';
import { nanoid } from 'nanoid';
import { readSettings } from '../../src/config/settings.js';
import { createApp, listen } from '../../src/http/app.js';
import { parseLogLine, type LogLine } from '../../src/logs/log-line.js';
import { sendLines } from '../../src/logs/serve.js';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import type { Task } from '../../src/vocabulary/task.js';
import { dockerCli } from '../helpers/docker.js';
import { del, get, post } from '../helpers/http.js';
import { testSettings, testWorker, untilTask } from '../helpers/worker.js';

const image = 'timboring/echo-server'; // busybox: sh, echo, sleep
const unique = (what: string) => `${what}-${nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;

/** A worker on its own, and a manager that reaches it over HTTP. */
async function cluster(t: TestContext, settings = {}) {
  const worker = await testWorker(t, { settings });
  const manager = await startManager({ port: 0, workers: [worker.url.replace('http://', '')], settings: testSettings(settings), log: silentLog });
  t.after(() => manager.close());
  return { worker, manager };
}

/** Runs a shell script as a task through the manager and waits until it runs. */
async function runScript(manager: { url: string }, worker: Parameters<typeof untilTask>[0], script: string, extra: Partial<Task> = {}) {
  const created = await post<Task>(`${manager.url}/tasks`, { Task: { Name: unique('logs'), Image: image, Cmd: ['sh', '-c', script], ...extra } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await untilTask(worker, created.body.ID, (task) => task.State === 2);
  return created.body.ID;
}

/** Reads NDJSON lines from a logs answer until `enough` says so; the connection is then closed. */
async function readLines(url: string, enough: (lines: LogLine[]) => boolean): Promise<LogLine[]> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  if (response.status !== 200) assert.fail(`${url} answered ${response.status}: ${await response.text()}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/x-ndjson/);
  const lines: LogLine[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  try {
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(chunk, { stream: true });
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const part of parts) lines.push(parseLogLine(part)!);
      if (enough(lines)) break;
    }
  } finally {
    controller.abort();
  }
  return lines;
}

const everything = () => false;
const text = (lines: LogLine[]) => lines.map((l) => `${l.Stream}:${l.Line}`);

test('stdout and stderr are told apart, with times; tail and since choose lines; the manager answers as the worker does', { timeout: 60_000 }, async (t) => {
  const { worker, manager } = await cluster(t);
  const id = await runScript(manager, worker, 'echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; touch /tmp/written; sleep 600');
  // The script has written all three lines once /tmp/written exists.
  await dockerCli('exec', (await get<Task>(`${worker.url}/tasks/${id}`)).body.ContainerID, 'sh', '-c', 'while [ ! -e /tmp/written ]; do sleep 0.05; done');

  const fromWorker = await readLines(`${worker.url}/tasks/${id}/logs`, everything);
  assert.deepEqual(text(fromWorker), ['stdout:one', 'stderr:two', 'stdout:three']);
  for (const line of fromWorker) assert.match(line.Time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/, "Docker's time of each line");
  const fromManager = await readLines(`${manager.url}/tasks/${id}/logs`, everything);
  assert.deepEqual(fromManager, fromWorker, 'the manager passes on what the worker reads');

  assert.deepEqual(text(await readLines(`${manager.url}/tasks/${id}/logs?tail=1`, everything)), ['stdout:three']);
  assert.deepEqual(text(await readLines(`${manager.url}/tasks/${id}/logs?tail=0`, everything)), []);
  const after = Date.parse(fromWorker.at(-1)!.Time) / 1000 + 0.001;
  assert.deepEqual(text(await readLines(`${manager.url}/tasks/${id}/logs?since=${after}`, everything)), [], 'nothing after the last line');
  assert.equal(text(await readLines(`${manager.url}/tasks/${id}/logs?since=10m`, everything)).length, 3, 'a duration: the last ten minutes');
});

test('follow=1 sends lines as the container writes them, through the manager, and ends when the container stops', { timeout: 60_000 }, async (t) => {
  const { worker, manager } = await cluster(t);
  const id = await runScript(manager, worker, 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done');
  const seen = await readLines(`${manager.url}/tasks/${id}/logs?follow=1&tail=1`, (lines) => lines.length >= 4);
  const numbers = seen.map((l) => Number(/^tick (\d+)$/.exec(l.Line)?.[1]));
  assert.deepEqual(numbers.slice(1), [numbers[0]! + 1, numbers[0]! + 2, numbers[0]! + 3], 'the last line, then each new one as it is written');

  // A followed answer ends when the task's container stops.
  const response = await fetch(`${manager.url}/tasks/${id}/logs?follow=1&tail=0`);
  const body = response.text();
  assert.equal((await del(`${manager.url}/tasks/${id}`)).status, 204);
  assert.equal(typeof (await body), 'string', 'the answer ended');
});

test("a Failed task's last container can be read; a Completed task's cannot, and the answer says why", { timeout: 60_000 }, async (t) => {
  const { worker, manager } = await cluster(t, { restartLimit: 0 });
  const created = await post<Task>(`${manager.url}/tasks`, {
    Task: { Name: unique('fails'), Image: image, Cmd: ['sh', '-c', 'echo starting; sleep 0.5; echo "cannot open /data: no such file" >&2; exit 3'] },
  });
  const failed = await untilTask(worker, created.body.ID, (task) => task.StateName === 'failed');
  assert.equal(failed.ExitCode, 3);
  assert.deepEqual(text(await readLines(`${manager.url}/tasks/${failed.ID}/logs`, everything)), ['stdout:starting', 'stderr:cannot open /data: no such file']);

  const running = await runScript(manager, worker, 'sleep 600');
  assert.equal((await del(`${manager.url}/tasks/${running}`)).status, 204);
  for (const base of [manager.url, worker.url]) {
    const gone = await get<{ HTTPStatusCode: number; Message: string }>(`${base}/tasks/${running}/logs`);
    assert.equal(gone.status, 410);
    assert.deepEqual(gone.body, {
      HTTPStatusCode: 410,
      Message: `task ${running} is completed: its container was removed, and its output with it; Cube keeps no logs of a stopped task`,
    });
  }
});

test('logs of an unknown task, with a bad query, or of a task not placed are refused in words', { timeout: 60_000 }, async (t) => {
  const { worker, manager } = await cluster(t);
  for (const base of [manager.url, worker.url]) {
    const unknown = await get(`${base}/tasks/no-such-task/logs`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.Message, /^no task no-such-task/);
    for (const [query, message] of [
      ['tail=x', /^tail: expected a whole number of lines \(or all\), got "x"$/],
      ['since=yesterday', /^since: "yesterday" is not a time; give a duration/],
      ['follow=maybe', /^follow: expected 1 or 0/],
      ['lines=3', /^unknown parameter lines; the logs take follow=1, tail=N and since=TIME$/],
    ] as const) {
      const bad = await get(`${base}/tasks/no-such-task/logs?${query}`);
      assert.equal(bad.status, 400, `${base} ${query}`);
      assert.match(bad.body.Message, message);
    }
  }
  // A task no worker has room for is never placed: no container, no output.
  const huge = await post<Task>(`${manager.url}/tasks`, { Task: { Name: unique('huge'), Image: image, Memory: 1e15 } });
  const unplaced = await get(`${manager.url}/tasks/${huge.body.ID}/logs`);
  assert.equal(unplaced.status, 409);
  assert.match(unplaced.body.Message, new RegExp(`^task ${huge.body.ID} is not on a worker \\(it is pending: no worker can take the task`));
});

test('the logs of a task whose worker is gone say that the worker cannot be reached', { timeout: 60_000 }, async (t) => {
  const { worker, manager } = await cluster(t);
  const id = await runScript(manager, worker, 'echo hello; sleep 600');
  await worker.close();
  const gone = await get(`${manager.url}/tasks/${id}/logs`);
  assert.equal(gone.status, 502);
  const address = worker.url.replace('http://', '');
  assert.match(gone.body.Message, new RegExp(`^worker ${address} at ${address}, which has task ${id}, cannot be reached \\(ECONNREFUSED\\)`));
  assert.match(gone.body.Message, /its logs can be read once it answers again$/);
});

test('a logs answer reads no faster than its client: a client that stops reading stops the reading, and leaving ends it', { timeout: 60_000 }, async (t) => {
  let pulled = 0;
  let ended!: () => void;
  const finished = new Promise<void>((resolve) => (ended = resolve));
  const endless = async function* (): AsyncGenerator<LogLine> {
    try {
      for (;;) {
        pulled++;
        yield { Time: '2026-11-27T00:00:00.000000000Z', Stream: 'stdout', Line: 'x'.repeat(200) };
      }
    } finally {
      ended();
    }
  };
  const router = new Router();
  router.get('/logs', (ctx) => sendLines(ctx, endless(), true));
  const server = await listen(createApp(router, { settings: readSettings({}, {}), role: 'worker', log: silentLog, routesHint: '' }), '127.0.0.1', 0);
  t.after(() => server.close());

  const controller = new AbortController();
  const response = await fetch(`${server.url}/logs`, { signal: controller.signal });
  const reader = response.body!.getReader();
  await reader.read(); // the answer has begun; from now on nobody reads
  // Wait until the reading has stopped for lack of room: no more lines pulled over 50 turns of the event loop.
  let before = -1;
  let still = 0;
  while (still < 50) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    still = pulled === before ? still + 1 : 0;
    before = pulled;
  }
  const lineBytes = 270;
  assert.ok(
    pulled * lineBytes < 16 * 1024 * 1024,
    `the server held back once the socket was full: ${pulled} lines (${Math.round((pulled * lineBytes) / 1024)} KiB) read ahead`,
  );
  controller.abort();
  await finished; // the reading ended when the client left (else the test times out)
});

test('a followed answer begins at once, before a quiet container writes anything', { timeout: 60_000 }, async (t) => {
  const { worker, manager } = await cluster(t);
  const id = await runScript(manager, worker, 'sleep 600');
  for (const base of [worker.url, manager.url]) {
    const controller = new AbortController();
    const response = await fetch(`${base}/tasks/${id}/logs?follow=1`, { signal: controller.signal });
    assert.equal(response.status, 200, base);
    controller.abort();
  }
});
