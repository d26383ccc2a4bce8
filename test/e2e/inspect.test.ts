// CUBE_INSPECT=1 with a receiver of the inspector's WebSocket protocol on
// loopback in place of the Stately relay: a real `cube start` process sends
// @xstate.actor for a task machine, named by task id and worker, and
// @xstate.snapshot events for its transitions. With no relay listening,
// stopping still does not hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { nanoid } from 'nanoid';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { WebSocket, WebSocketServer } from 'ws';
import type { Task } from '../../src/vocabulary/task.js';
import { spawnCube } from '../helpers/cube-process.js';
import { removeContainersOf } from '../helpers/docker.js';
import { post } from '../helpers/http.js';

interface Received {
  type: string;
  name?: string;
  sessionId: string;
  parentId?: string;
  snapshot?: { value?: unknown; context?: { task?: Task } };
  event?: { type: string };
}

test('with CUBE_INSPECT=1 the task machine and its transitions reach the inspector, named by task id and worker', { timeout: 60_000 }, async (t) => {
  const receiver = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(receiver, 'listening');
  const messages: Received[] = [];
  const arrived: (() => void)[] = [];
  receiver.on('connection', (socket) => {
    socket.on('message', (data) => {
      messages.push(JSON.parse(data.toString()) as Received);
      arrived.splice(0).forEach((wake) => wake());
    });
  });
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise<void>((resolve) => arrived.push(resolve));
  };
  const worker = `insp-${nanoid(5)}`;
  const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', worker], {
    CUBE_INSPECT: '1',
    CUBE_INSPECT_URL: `ws://127.0.0.1:${(receiver.address() as { port: number }).port}`,
    CUBE_STORE: 'memory',
  });
  t.after(async () => {
    await cube.stop('SIGKILL');
    receiver.close();
    await removeContainersOf(worker);
  });

  const task = (await post<Task>(`${cube.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: worker } })).body;
  const name = `task:${task.ID}@${worker}`;
  await until(() => messages.some((m) => m.type === '@xstate.actor' && m.name === name));
  const actor = messages.find((m) => m.type === '@xstate.actor' && m.name === name)!;
  await until(() =>
    messages.some((m) => m.type === '@xstate.snapshot' && m.sessionId === actor.sessionId && JSON.stringify(m.snapshot?.value).includes('running')),
  );

  const values = messages
    .filter((m) => m.type === '@xstate.snapshot' && m.sessionId === actor.sessionId)
    .map((m) => (typeof m.snapshot!.value === 'string' ? m.snapshot!.value : Object.keys(m.snapshot!.value as object)[0]))
    .filter((value, i, all) => value !== all[i - 1]);
  assert.deepEqual(values.slice(0, 3), ['pending', 'scheduled', 'running'], 'the task machine moves as docs/spec.md §2 says');
  const events = messages.filter((m) => m.type === '@xstate.event' && m.sessionId === actor.sessionId).map((m) => m.event!.type);
  assert.ok(events.includes('schedule'));
  assert.ok(events.includes('xstate.done.actor.start'));

  // The chain a person follows from the manager to the task's worker: the manager, then worker:<name>, then the task.
  const managerActor = messages.find((m) => m.type === '@xstate.actor' && m.name === 'manager');
  const workerActor = messages.find((m) => m.type === '@xstate.actor' && m.name === `worker:${worker}`);
  assert.ok(managerActor && workerActor, 'the manager and the worker are named too');
  assert.equal(workerActor.parentId, managerActor.sessionId);
});

test('with CUBE_INSPECT=1 and no relay listening, cube stops at once', { timeout: 60_000 }, async () => {
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as { port: number }).port;
  closed.close(); // nothing listens there now
  const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', `insp-${nanoid(5)}`], {
    CUBE_INSPECT: '1',
    CUBE_INSPECT_URL: `ws://127.0.0.1:${port}`,
    CUBE_STORE: 'memory',
  });
  const began = performance.now();
  await cube.stop('SIGTERM');
  const took = performance.now() - began;
  assert.equal(cube.child.exitCode, 0, cube.output());
  assert.ok(took < 5000, `stopped in ${took.toFixed(0)} ms`);
  assert.match(cube.output(), /no inspector relay at ws:\/\/127\.0\.0\.1/);
});

test(
  'the relay page explains itself when stately.ai cannot be reached, and points to the live view; the relay carries the events',
  { timeout: 60_000 },
  async (t) => {
    const free = createServer();
    free.listen(0, '127.0.0.1');
    await once(free, 'listening');
    const port = (free.address() as { port: number }).port;
    free.close();
    const worker = `insp-${nanoid(5).replace(/[^a-zA-Z0-9]/g, 'x')}`;
    const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', worker], {
      CUBE_INSPECT: '1',
      CUBE_INSPECT_PORT: String(port),
      CUBE_STORE: 'memory',
    });
    const profile = mkdtempSync(join(tmpdir(), 'cube-insp-profile-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    t.after(async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
      await cube.stop('SIGKILL');
      await removeContainersOf(worker);
    });
    assert.match(cube.output(), new RegExp(`inspector at http://127\\.0\\.0\\.1:${port} `));

    // A client of the relay (as the page is) gets the actors' events.
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const names: string[] = [];
    const seen = new Promise<void>((resolve) =>
      client.on('message', (data) => {
        const message = JSON.parse(data.toString()) as Received;
        if (message.type === '@xstate.actor' && message.name) names.push(message.name);
        if (names.includes('manager')) resolve();
      }),
    );
    await seen;
    client.close();

    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.locator('#notice[data-state="unreachable"]').waitFor();
    assert.equal(await page.locator('#notice-title').innerText(), 'stately.ai cannot be reached from this browser');
    assert.match(await page.locator('#notice').innerText(), /no internet, or it is blocked/);
    const live = page.locator('#live-view');
    assert.equal(await live.getAttribute('href'), `${cube.url}/ui`);
    await live.click();
    await page.locator('#status[data-status="live"]').waitFor(); // the live view, which needs no internet
  },
);
