// The book-protocol worker of test/helpers against what the book's own worker
// answered (docs/examples/book/): the same keys in the same order, the same
// status codes and Content-Types, and its quirks. The tests of Cube that talk
// to it are only as good as this likeness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { nanoid } from 'nanoid';
import { startBookWorker } from '../helpers/book-worker.js';
import { inspectContainer } from '../helpers/docker.js';
import { bookRecording } from '../helpers/examples.js';
import { del, get, post } from '../helpers/http.js';

/** Every key path of a JSON value, in order: {"a":{"b":1}} → ["a", "a.b"]. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => [`${prefix}${key}`, ...keyPaths(inner, `${prefix}${key}.`)]);
}

/** The recorded POST body, for a task of our own (its own IDs and container name). */
function recordedEvent() {
  const body = JSON.parse(bookRecording('post-task-response.json').requestBody!);
  body.ID = randomUUID();
  body.Task.ID = randomUUID();
  body.Task.Name = `book-${nanoid(8)}`;
  return body;
}

test('the book worker answers as the recording: null for no tasks, 201 text/plain, the same keys of tasks and stats', { timeout: 60_000 }, async (t) => {
  const worker = await startBookWorker(t);
  const empty = await fetch(`${worker.url}/tasks`);
  const recordedEmpty = bookRecording('tasks-empty.json');
  assert.equal(empty.status, recordedEmpty.status);
  assert.equal(empty.headers.get('content-type'), recordedEmpty.contentType);
  assert.equal(await empty.text(), recordedEmpty.body);

  const event = recordedEvent();
  const created = await fetch(`${worker.url}/tasks`, { method: 'POST', body: JSON.stringify(event) });
  const recordedPost = bookRecording('post-task-response.json');
  assert.equal(created.status, recordedPost.status);
  assert.equal(created.headers.get('content-type'), recordedPost.contentType);
  const answer = JSON.parse(await created.text());
  assert.deepEqual(keyPaths(answer), keyPaths(recordedPost.json));
  assert.equal(answer.ContainerID, '');

  const running = await worker.untilTask(event.Task.ID, (task) => task.State === 2 && task.HostPorts !== null);
  const listed = (await get<any[]>(`${worker.url}/tasks`)).body;
  const recordedTask = bookRecording('tasks-running.json').json[0];
  assert.deepEqual(Object.keys(listed[0]), Object.keys(recordedTask));
  assert.equal(listed[0].StartTime, recordedTask.StartTime, 'StartTime stays the zero time');
  assert.deepEqual(Object.keys(running.HostPorts!), ['80/tcp'], 'the image’s port is published though the task named none');
  assert.ok(running.HostPorts!['80/tcp']!.every((b) => Number(b.HostPort) > 0));

  const stats = await fetch(`${worker.url}/stats`);
  const recordedStats = bookRecording('stats.json');
  assert.equal(stats.headers.get('content-type'), recordedStats.contentType);
  const statsBody = await stats.json();
  assert.deepEqual(keyPaths(statsBody), keyPaths(recordedStats.json));
  assert.ok(statsBody.MemStats.mem_total > 1000 && statsBody.MemStats.mem_total < 2 ** 40, 'kB');
});

test(
  'the book worker’s quirks: a second POST fails the task while the first container runs on; no /events, no GET /tasks/{id}; UUIDs only',
  { timeout: 60_000 },
  async (t) => {
    const worker = await startBookWorker(t);
    const event = recordedEvent();
    assert.equal((await post(`${worker.url}/tasks`, event)).status, 201);
    const first = await worker.untilTask(event.Task.ID, (task) => task.State === 2);
    assert.equal((await post(`${worker.url}/tasks`, { ...event, ID: randomUUID() })).status, 201, 'it takes the same task again');
    const failed = await worker.untilTask(event.Task.ID, (task) => task.State === 4);
    assert.equal(failed.ContainerID, first.ContainerID);
    assert.equal((await inspectContainer(first.ContainerID))?.State.Running, true, 'the first container keeps running');

    const events = await get(`${worker.url}/events`);
    assert.equal(events.status, 404);
    assert.equal(events.body, '404 page not found\n');
    await assert.rejects(fetch(`${worker.url}/tasks/${event.Task.ID}`), 'GET /tasks/{id} drops the connection');
    await assert.rejects(fetch(`${worker.url}/tasks/${randomUUID()}`, { method: 'DELETE' }), 'so does a DELETE of an unknown ID');

    const nanoidTask = await post<{ Message: string }>(`${worker.url}/tasks`, { ...recordedEvent(), Task: { ...recordedEvent().Task, ID: nanoid() } });
    assert.equal(nanoidTask.status, 400);
    assert.match(nanoidTask.body.Message, /invalid UUID length: 21/);
    const unknownKey = await post<{ Message: string }>(`${worker.url}/tasks`, { ...recordedEvent(), Task: { ...recordedEvent().Task, Env: ['A=1'] } });
    assert.equal(unknownKey.status, 400);
    assert.match(unknownKey.body.Message, /unknown field "Env"/);
  },
);

test('the book worker stops a running task from its queue: 204 at once, then Completed and its container gone', { timeout: 60_000 }, async (t) => {
  const worker = await startBookWorker(t);
  const event = recordedEvent();
  await post(`${worker.url}/tasks`, event);
  const running = await worker.untilTask(event.Task.ID, (task) => task.State === 2);
  assert.equal((await del(`${worker.url}/tasks/${event.Task.ID}`)).status, 204);
  const done = await worker.untilTask(event.Task.ID, (task) => task.State === 3);
  assert.notEqual(done.FinishTime, '0001-01-01T00:00:00Z');
  assert.equal(await inspectContainer(running.ContainerID), undefined);
});
