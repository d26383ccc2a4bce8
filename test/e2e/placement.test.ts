// Placement you can steer (docs/scheduling.md), with real processes and the
// real engine: workers labelled by flag and by setting, a task constrained to
// one zone, a task no worker can take waiting Pending with the reasons counted
// until a worker of its zone joins, a service spread over zones, and memory
// that adds up against what each worker offers (--memory 8g).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customAlphabet } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import type { NodeView } from '../../src/manager/views/node-view.js';
import { cube } from '../helpers/cube-cli.js';
import { del, get, post } from '../helpers/http.js';
import { env, lab } from '../helpers/lab.js';
import { untilView, type ManagerView } from '../helpers/watch.js';

const suffix = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 6);
const GiB = 1024 ** 3;

const hello = (fields: Record<string, unknown> = {}) => ({ Task: { Image: 'strm/helloworld-http', ExposedPorts: { '80/tcp': {} }, ...fields } });
const taskIn = (v: ManagerView, id: string) => v.tasks.find((t) => t.ID === id);
const runningOn = (id: string, worker: string) => (v: ManagerView) => taskIn(v, id)?.State === 2 && taskIn(v, id)?.Worker === worker;

async function submit(url: string, fields: Record<string, unknown>): Promise<string> {
  const reply = await post<Task>(`${url}/tasks`, hello(fields));
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body.ID;
}

test(
  'constraints place by label; a task of a zone nobody has waits Pending, counted, until a worker of it joins; Spread goes over zones',
  { timeout: 180_000 },
  async (t) => {
    const cube_ = lab(t);
    const settings = env(cube_.dir);
    const id = suffix();
    // Two workers of zone a (one labelled by flags, one by CUBE_LABEL) sort before the one of zone b.
    const a1 = await cube_.worker(`pa1-${id}`, settings, '0', '--label', 'zone=a', '--label', 'disk=ssd');
    const a2 = await cube_.worker(`pa2-${id}`, { ...settings, CUBE_LABEL: 'zone=a' });
    const b = await cube_.worker(`pb-${id}`, settings, '0', '--label', 'zone=b');
    const manager = await cube_.manager([a1.address, a2.address, b.address], settings);
    await untilView(manager.url, (v) => v.nodes.length === 3 && v.nodes.every((n) => n.State === 'up'));

    const nodes = (await get<NodeView[]>(`${manager.url}/nodes`)).body;
    assert.deepEqual(nodes.find((n) => n.Name === a1.address)?.Labels, { zone: 'a', disk: 'ssd' });
    assert.deepEqual(nodes.find((n) => n.Name === a2.address)?.Labels, { zone: 'a' });
    const table = await cube(['node', '-m', manager.url.replace('http://', '')]);
    assert.match(table.stdout, /disk=ssd,zone=a/);

    // zone==b runs on the one worker of zone b.
    const inB = await submit(manager.url, { Constraints: ['zone==b'] });
    await untilView(manager.url, runningOn(inB, b.address));

    // zone==c: nobody has it. Pending, with the reason counted, in the API and in cube status.
    const inC = await submit(manager.url, { Constraints: ['zone==c'] });
    const waiting = await untilView(manager.url, (v) => /filtered by zone==c/.test(taskIn(v, inC)?.Reason ?? ''));
    assert.equal(taskIn(waiting, inC)?.StateName, 'pending');
    assert.equal(taskIn(waiting, inC)?.Reason, 'no worker can take the task: 3 workers: 3 filtered by zone==c');
    const detail = (await get<Task>(`${manager.url}/tasks/${inC}`)).body;
    assert.equal(detail.Reason, 'no worker can take the task: 3 workers: 3 filtered by zone==c');
    const status = await cube(['status', inC, '-m', manager.url.replace('http://', '')]);
    assert.match(status.stdout, /Reason\s+no worker can take the task: 3 workers: 3 filtered by zone==c/);

    // A bad constraint is a 400 naming the key.
    const bad = await post<{ Message: string }>(`${manager.url}/tasks`, hello({ Constraints: ['zone=c'] }));
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /Task\.Constraints\[0\]: \\"zone=c\\" is not a constraint/);

    // A service spread over zones: one copy in zone a, one in zone b (by worker alone, both would go to zone a's two workers).
    const name = `spread-${id}`;
    const created = await post(`${manager.url}/services`, {
      Name: name,
      Count: 2,
      Spread: 'zone',
      Task: { Image: 'strm/helloworld-http', Constraints: ['zone in (a,b)'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const spread = await untilView(manager.url, (v) => v.tasks.filter((t) => t.Service === name && t.State === 2).length === 2);
    const zones = spread.tasks.filter((t) => t.Service === name && t.State === 2).map((t) => nodes.find((n) => n.Name === t.Worker)?.Labels['zone']);
    assert.deepEqual(zones.sort(), ['a', 'b'], 'one copy in each zone');

    // A worker of zone c joins: the waiting task runs there at once.
    const c = await cube_.worker(`pc-${id}`, { ...settings, CUBE_JOIN: manager.url.replace('http://', '') }, '0', '--label', 'zone=c');
    await untilView(manager.url, runningOn(inC, c.name));

    // cube node label: relabelled at runtime, durable in the manager's store; key- removes one.
    const relabel = await cube(['node', 'label', a2.address, 'zone=c', 'rack=r1', '-m', manager.url.replace('http://', '')]);
    assert.equal(relabel.code, 0, relabel.stderr);
    assert.match(relabel.stdout, /labelled rack=r1,zone=c/);
    const removed = await cube(['node', 'label', a2.address, 'rack-', '-m', manager.url.replace('http://', '')]);
    assert.match(removed.stdout, /labelled zone=c$/m);
    const second = await submit(manager.url, { Constraints: ['zone==c', `Name!=${c.name}`] });
    await untilView(manager.url, runningOn(second, a2.address));
    await manager.stop('SIGKILL');
    const again = await cube_.manager([a1.address, a2.address, b.address], settings);
    await untilView(again.url, (v) => v.nodes.find((n) => n.Name === a2.address)?.Labels?.['zone'] === 'c');
  },
);

test('memory adds up: two 6 GiB tasks on 8 GiB workers go to different workers, a third waits until one frees room', { timeout: 120_000 }, async (t) => {
  const cube_ = lab(t);
  const settings = env(cube_.dir, { CUBE_MEMORY: '8g' });
  const id = suffix();
  const w1 = await cube_.worker(`m1-${id}`, settings);
  const w2 = await cube_.worker(`m2-${id}`, settings);
  const manager = await cube_.manager([w1.address, w2.address], settings);
  await untilView(manager.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up'));
  const nodes = (await get<NodeView[]>(`${manager.url}/nodes`)).body;
  assert.deepEqual(
    nodes.map((n) => n.Capacity.Memory),
    [8 * GiB, 8 * GiB],
    'each worker offers what --memory says',
  );

  const first = await submit(manager.url, { Memory: '6g' });
  const second = await submit(manager.url, { Memory: '6g' });
  const both = await untilView(manager.url, (v) => [first, second].every((x) => taskIn(v, x)?.State === 2));
  assert.notEqual(taskIn(both, first)?.Worker, taskIn(both, second)?.Worker, 'one 6 GiB task per 8 GiB worker');
  const allocated = (await get<NodeView[]>(`${manager.url}/nodes`)).body;
  assert.deepEqual(
    allocated.map((n) => n.Reserved.Memory),
    [6 * GiB, 6 * GiB],
  );
  const table = await cube(['node', '-m', manager.url.replace('http://', '')]);
  assert.match(table.stdout, /0\/\d+ CPUs, 6\/8 GiB/);

  const third = await submit(manager.url, { Memory: '6g' });
  const waiting = await untilView(manager.url, (v) => /short of memory/.test(taskIn(v, third)?.Reason ?? ''));
  assert.equal(taskIn(waiting, third)?.StateName, 'pending');
  assert.match(
    taskIn(waiting, third)!.Reason,
    /^no worker can take the task: 2 workers: 2 short of memory \(\S+ has 2 GiB of 8 GiB memory unreserved, the task asks 6 GiB; \S+ has 2 GiB of 8 GiB memory unreserved, the task asks 6 GiB\)$/,
  );

  // Stopping one frees its worker's room: the third is placed there, without waiting for anything else.
  const freed = taskIn(both, first)!.Worker;
  assert.equal((await del(`${manager.url}/tasks/${first}`)).status, 204);
  await untilView(manager.url, runningOn(third, freed));
});
