// Generated hostile bodies against POST /tasks of both APIs (a manager with a
// worker in its process, and a worker alone, on the real engine). Every answer
// must be a 201 with a task or a JSON error; afterwards both servers answer,
// every task they accepted is listed, and the tasks from before are untouched.
// The generator is seeded: CUBE_FUZZ_SEED=<n> replays a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { startManager } from '../../src/manager/start.js';
import { silentLog } from '../../src/log.js';
import type { Task } from '../../src/vocabulary/task.js';
import { removeContainersOf } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';
import { testSettings, testWorker } from '../helpers/worker.js';

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const keys = [
  'ID',
  'Name',
  'Image',
  'State',
  'Cpu',
  'Memory',
  'Disk',
  'ExposedPorts',
  'PortBindings',
  'RestartPolicy',
  'HealthCheck',
  'Env',
  'Cmd',
  'ContainerID',
  'HostPorts',
  'StartTime',
  'RestartCount',
  'Events',
];
const hostile = ['__proto__', 'constructor', 'prototype', 'Privileged', 'Binds', 'HostConfig', '', ' ', 'ID\u0000', 'Ｉｍａｇｅ'];

function body(random: () => number): string | Buffer {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const scalar = (): unknown =>
    pick([
      () => null,
      () => random() > 0.5,
      () => Math.floor(random() * 2 ** 53) * (random() > 0.5 ? 1 : -1),
      () => random() * 1e308 * 10, // Infinity after JSON? stays a big float
      () => 'x'.repeat(Math.floor(random() * 300)),
      () =>
        pick([
          'strm/helloworld-http',
          'UPPER/case',
          '../../etc/passwd',
          'a'.repeat(600),
          '💥',
          'name with space',
          '/health',
          '7777/tcp',
          '0001-01-01T00:00:00Z',
          '2026-02-30T00:00:00Z',
        ]),
    ])();
  const value = (depth: number): unknown => {
    const roll = random();
    if (depth > 6 || roll < 0.5) return scalar();
    if (roll < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick([...keys, ...hostile]), value(depth + 1)]));
  };
  const task = () => {
    const fields: Record<string, unknown> = { Image: random() > 0.1 ? 'strm/helloworld-http' : scalar() };
    // Each key is spoiled rarely, so about half the task bodies stay valid and get accepted.
    for (const key of keys) if (random() < 0.03) fields[key] = random() < 0.5 ? value(2) : scalar();
    if (random() < 0.05) fields[pick(hostile)] = value(2);
    return fields;
  };
  switch (Math.floor(random() * 8)) {
    case 0:
      return Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256))); // bytes, invalid UTF-8 too
    case 1:
      return JSON.stringify(value(0)).slice(0, Math.floor(random() * 40)); // truncated JSON
    case 2:
      return `${'['.repeat(5000)}${']'.repeat(5000)}`; // deep nesting
    case 3:
      return JSON.stringify({ Task: task(), [pick(hostile)]: value(1) });
    default:
      return JSON.stringify({ ID: random() > 0.2 ? nanoid() : scalar(), State: random() > 0.2 ? 2 : scalar(), Task: task() });
  }
}

async function fuzz(url: string, seed: number, count: number): Promise<string[]> {
  const random = prng(seed);
  const accepted: string[] = [];
  for (let i = 0; i < count; i++) {
    const payload = body(random);
    const response = await fetch(`${url}/tasks`, { method: 'POST', body: payload as unknown as BodyInit });
    const text = await response.text();
    const answer = JSON.parse(text) as { ID?: string; HTTPStatusCode?: number; Message?: string };
    if (response.status === 201) {
      assert.equal(typeof answer.ID, 'string', `body ${i}: a 201 carries the task`);
      accepted.push(answer.ID!);
    } else {
      assert.ok(response.status >= 400 && response.status < 500, `body ${i} (seed ${seed}): status ${response.status}: ${text}`);
      assert.equal(answer.HTTPStatusCode, response.status);
      assert.ok(answer.Message && answer.Message.length > 10, `body ${i}: says what was wrong`);
    }
  }
  return accepted;
}

const seed = Number(process.env['CUBE_FUZZ_SEED'] ?? Date.now() % 100_000);

test(`fuzzing POST /tasks of a worker and of a manager loses nothing and breaks nothing (seed ${seed})`, { timeout: 180_000 }, async (t) => {
  t.diagnostic(`replay with CUBE_FUZZ_SEED=${seed}`);
  const worker = await testWorker(t);
  const name = `fuzz-${nanoid(5)}`;
  const manager = await startManager({ port: 0, local: [{ port: null, name }], settings: testSettings(), log: silentLog });
  t.after(async () => {
    await manager.close();
    await removeContainersOf(name);
  });
  for (const url of [worker.url, manager.url]) {
    const before = (await post<Task>(`${url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: `before-${nanoid(5)}` } })).body;
    const accepted = await fuzz(url, seed, 300);
    t.diagnostic(`${url}: ${accepted.length} of 300 generated bodies were valid tasks`);
    const listed = await get<Task[]>(`${url}/tasks`);
    assert.equal(listed.status, 200, 'still answering');
    const ids = new Set(listed.body.map((task) => task.ID));
    assert.ok(ids.has(before.ID), 'the task from before is still there');
    for (const id of accepted) assert.ok(ids.has(id), `accepted task ${id} is listed`);
    assert.equal(listed.body.find((task) => task.ID === before.ID)!.Image, 'strm/helloworld-http');
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype, 'no prototype was polluted');
});
