// The volume rule of placement (machines/manager/volume-placement.ts): a task
// goes back to the worker that holds its named volume, or waits saying why;
// binds go only to workers whose --volume-root allows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { volumePlacement, type VolumeWorker } from '../../machines/manager/volume-placement.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import type { Mount } from '../../src/vocabulary/mounts.js';
import { slotMounts } from '../../src/vocabulary/mounts.js';

const worker = (name: string, fields: Partial<VolumeWorker> = {}): VolumeWorker => ({ name, state: 'up', draining: false, problem: '', roots: [], ...fields });
const mount = (Type: Mount['Type'], Source: string, Target = '/data'): Mount => ({ Type, Source, Target, ReadOnly: false, Size: 0 });
const task = (...Mounts: Mount[]): Task => newTask({ ID: 't', Name: 't', Image: 'img', Mounts });
const only = (verdict: ReturnType<typeof volumePlacement>) => ('wait' in verdict ? verdict.wait : verdict.only && [...verdict.only].sort());

test('no mounts, a tmpfs, or a volume nobody holds yet: any worker', { timeout: 10_000 }, () => {
  const workers = [worker('w1'), worker('w2')];
  assert.equal(only(volumePlacement(task(), workers, new Map())), null);
  assert.equal(only(volumePlacement(task(mount('tmpfs', '')), workers, new Map())), null);
  assert.equal(only(volumePlacement(task(mount('volume', 'pgdata')), workers, new Map([['other', 'w1']]))), null);
});

test('a held volume ties the task to its worker while it is up', { timeout: 10_000 }, () => {
  const homes = new Map([['pgdata', 'w2']]);
  assert.deepEqual(only(volumePlacement(task(mount('volume', 'pgdata')), [worker('w1'), worker('w2')], homes)), ['w2']);
});

test('a holder that is down or suspect: the task waits for it, saying which worker and why', { timeout: 10_000 }, () => {
  const homes = new Map([['pgdata', 'w2']]);
  const down = volumePlacement(task(mount('volume', 'pgdata')), [worker('w1'), worker('w2', { state: 'down', problem: 'no heartbeat for 16 s' })], homes);
  assert.equal(only(down), 'waiting for worker w2, which holds its volume pgdata: the worker is down (no heartbeat for 16 s)');
  const suspect = volumePlacement(task(mount('volume', 'pgdata')), [worker('w1'), worker('w2', { state: 'suspect' })], homes);
  assert.equal(only(suspect), 'waiting for worker w2, which holds its volume pgdata: the worker is suspect');
});

test('a drained holder: the task waits, and the reason says how to let it go elsewhere', { timeout: 10_000 }, () => {
  const verdict = volumePlacement(task(mount('volume', 'pgdata')), [worker('w1'), worker('w2', { draining: true })], new Map([['pgdata', 'w2']]));
  assert.match(
    only(verdict) as string,
    /^waiting for worker w2, which holds its volume pgdata: the worker is drained\. Undrain it \(cube node undrain w2\).*DELETE \/nodes\/w2\/volumes\/pgdata.*cube node rm w2/,
  );
});

test('a volume whose worker the manager forgot ties the task to nothing', { timeout: 10_000 }, () => {
  assert.equal(only(volumePlacement(task(mount('volume', 'pgdata')), [worker('w1')], new Map([['pgdata', 'gone']]))), null);
});

test('volumes held by two workers: the task waits, naming both', { timeout: 10_000 }, () => {
  const verdict = volumePlacement(
    task(mount('volume', 'a', '/a'), mount('volume', 'b', '/b')),
    [worker('w1'), worker('w2')],
    new Map([
      ['a', 'w1'],
      ['b', 'w2'],
    ]),
  );
  assert.match(only(verdict) as string, /its volumes live on different workers \(a on w1; b on w2\)/);
});

test('binds go only to workers whose roots allow them; with none up that does, the task waits naming every root', { timeout: 10_000 }, () => {
  const workers = [worker('w1'), worker('w2', { roots: ['/srv'] }), worker('w3', { roots: ['/srv/cube'], state: 'down' })];
  assert.deepEqual(only(volumePlacement(task(mount('bind', '/srv/cube/x')), workers, new Map())), ['w2']);
  assert.deepEqual(only(volumePlacement(task(mount('bind', '/srv')), workers, new Map())), ['w2'], 'a root allows itself');
  assert.equal(
    only(volumePlacement(task(mount('bind', '/srvx')), workers, new Map())),
    'waiting for a worker that is up and lets tasks bind /srvx (its --volume-root): w1 allows none; w2 allows /srv; w3 allows /srv/cube, down',
  );
  // A bind and a volume: the holder must allow the bind too.
  assert.match(
    only(volumePlacement(task(mount('bind', '/srv/a', '/a'), mount('volume', 'v')), workers, new Map([['v', 'w1']]))) as string,
    /lets tasks bind \/srv\/a/,
  );
});

test("a service copy's volumes are named by its slot", { timeout: 10_000 }, () => {
  assert.deepEqual(
    slotMounts([mount('volume', 'pgdata'), mount('tmpfs', '', '/tmp')], 1).map((m) => m.Source),
    ['pgdata-1', ''],
  );
});

test("a worker that speaks the book's protocol takes no task with mounts", { timeout: 10_000 }, () => {
  const workers = [worker('b1', { protocol: 'book' }), worker('c1', { protocol: 'cube' })];
  assert.deepEqual(only(volumePlacement(task(mount('volume', 'v')), workers, new Map())), ['c1']);
  assert.equal(
    only(volumePlacement(task(mount('tmpfs', '')), [workers[0]!], new Map())),
    "waiting for a worker that is up and can mount volumes: b1 speaks the book's protocol, which cannot carry Mounts",
  );
});
