// Volumes on the real engine, through real processes (docs/spec.md §1
// `Mounts`): a named volume keeps what a task wrote across a restart of the
// task, of its worker, and a stop and a new run; the manager lists and removes
// it on its worker; binds only under the worker's --volume-root; tmpfs.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { docker, dockerCli, removeContainersOf, removeVolumesOf } from '../helpers/docker.js';
import { del, get, post, request } from '../helpers/http.js';
import { spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { untilView } from '../helpers/watch.js';
import { cube } from '../helpers/cube-cli.js';

const quick = { CUBE_HEARTBEAT_TTL: '1500ms', CUBE_RESTART_DELAY: '200ms', CUBE_STOP_TIMEOUT: '1s' };

/** A manager and one worker that joins it, the worker with its own data dir (to be restarted) and a volume root. */
async function cluster(t: TestContext) {
  const name = `vol-${nanoid(6)}`;
  const root = mkdtempSync(join(tmpdir(), 'cube-root-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'cube-worker-'));
  const manager = await spawnCube(['manager', '--port', '0'], { ...quick, CUBE_STORE: 'memory' });
  const startWorker = () =>
    spawnCube(['worker', '--port', '0', '--name', name, '--join', manager.url.replace('http://', ''), '--volume-root', root], {
      ...quick,
      CUBE_STORE: 'sqlite',
      CUBE_DATA_DIR: dataDir,
    });
  const current: { worker: CubeProcess } = { worker: await startWorker() };
  t.after(async () => {
    await Promise.all([manager.stop('SIGKILL'), current.worker.stop('SIGKILL')]);
    await removeContainersOf(name);
    await removeVolumesOf(name);
  });
  await untilView(manager.url, (v) => v.nodes.some((n) => n.Name === name && n.State === 'up'));
  return { manager, name, root, current, startWorker };
}

/**
 * Resolves when `path` exists. A task is Running once its container started,
 * while its command may still be writing, so a file it writes is awaited,
 * woken by the folder's changes rather than by polling.
 */
function untilFile(path: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dirname(path), () => {
      if (existsSync(path)) done();
    });
    const timer = setTimeout(() => done(new Error(`${path} was not written within ${timeoutMs} ms`)), timeoutMs);
    const done = (error?: Error) => {
      watcher.close();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    if (existsSync(path)) done();
  });
}

/** Each start of the container adds a line to /data/boots, then serves as the image does. */
const counting = (volume: string, id = `vol-task-${nanoid(6)}`) => ({
  ID: id,
  Name: id,
  Image: 'strm/helloworld-http',
  RestartPolicy: 'always',
  Cmd: ['sh', '-c', 'date >> /data/boots; exec /bin/start'],
  Mounts: [{ Type: 'volume', Source: volume, Target: '/data' }],
});

const running = (url: string, id: string, other = '') =>
  untilView(url, (v) => v.tasks.some((task) => task.ID === id && task.State === 2 && task.ContainerID !== '' && task.ContainerID !== other));

async function bootsOf(url: string, id: string): Promise<number> {
  const task = (await get<Task>(`${url}/tasks/${id}`)).body;
  return (await dockerCli('exec', task.ContainerID, 'cat', '/data/boots')).split('\n').length;
}

test(
  'a named volume keeps its file across a task restart, a worker restart and a stop and a new run; listed, refused while used, removed',
  { timeout: 150_000 },
  async (t) => {
    const { manager, name, current, startWorker } = await cluster(t);
    const volume = `pgdata-${nanoid(6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}`;
    const task = counting(volume);
    assert.equal((await post(`${manager.url}/tasks`, { Task: task })).status, 201);
    let view = await running(manager.url, task.ID);
    assert.equal(await bootsOf(manager.url, task.ID), 1);
    const volumeLabels = (await docker.getVolume(volume).inspect()).Labels;
    assert.equal(volumeLabels['cube.worker'], name, 'the volume carries its worker, as containers do');

    // The task restarted (a POST of a Running task): a new container, the same volume.
    const first = view.tasks.find((x) => x.ID === task.ID)!.ContainerID;
    assert.ok([201, 202].includes((await post(`${manager.url}/tasks`, { Task: task })).status));
    view = await running(manager.url, task.ID, first);
    assert.equal(await bootsOf(manager.url, task.ID), 2, 'the restarted container finds the first line');

    // The worker killed and started again; its task's container is gone too (a host that rebooted): the task starts again with its data.
    const second = view.tasks.find((x) => x.ID === task.ID)!.ContainerID;
    await current.worker.stop('SIGKILL');
    await docker.getContainer(second).remove({ force: true });
    current.worker = await startWorker();
    await running(manager.url, task.ID, second);
    assert.equal(await bootsOf(manager.url, task.ID), 3, 'after the worker restart the container finds both lines');

    // Listed by the manager on its worker, with the task that uses it; refused while it does.
    const listed = await get<any[]>(`${manager.url}/nodes/${name}/volumes`);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.filter((v) => v.Name === volume).map((v) => ({ Name: v.Name, Worker: v.Worker, Tasks: v.Tasks })),
      [{ Name: volume, Worker: name, Tasks: [task.ID] }],
    );
    const cli = await cube(['node', 'volumes', name, '-m', manager.url.replace('http://', '')]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`^${volume}  used by ${task.ID}$`, 'm'), 'cube node volumes says the same');
    const busy = await del(`${manager.url}/nodes/${name}/volumes/${volume}`);
    assert.equal(busy.status, 409);
    assert.match(busy.body.Message, new RegExp(`volume ${volume} is used by task ${task.ID}`));

    // Stopped: the container goes, the volume stays; a new task on it finds the data.
    assert.equal((await del(`${manager.url}/tasks/${task.ID}`)).status, 204);
    assert.deepEqual((await get<any[]>(`${manager.url}/nodes/${name}/volumes`)).body.find((v) => v.Name === volume)?.Tasks, []);
    const again = counting(volume);
    assert.equal((await post(`${manager.url}/tasks`, { Task: again })).status, 201);
    await running(manager.url, again.ID);
    assert.equal(await bootsOf(manager.url, again.ID), 4, 'a new run of the volume finds every line');
    assert.equal((await del(`${manager.url}/tasks/${again.ID}`)).status, 204);

    // Removed on request, and only then.
    assert.equal((await del(`${manager.url}/nodes/${name}/volumes/${volume}`)).status, 204);
    assert.equal((await get<any[]>(`${manager.url}/nodes/${name}/volumes`)).body.filter((v) => v.Name === volume).length, 0);
    await assert.rejects(docker.getVolume(volume).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
    const gone = await del(`${manager.url}/nodes/${name}/volumes/${volume}`);
    assert.equal(gone.status, 404);
  },
);

test('binds: outside --volume-root a 400 naming the setting (manager and worker), inside it works; tmpfs works', { timeout: 90_000 }, async (t) => {
  const { manager, root, current } = await cluster(t);
  const outside = { Image: 'strm/helloworld-http', Mounts: [{ Type: 'bind', Source: '/etc', Target: '/host' }] };
  for (const url of [manager.url, current.worker.url]) {
    const refused = await post(`${url}/tasks`, { Task: outside });
    assert.equal(refused.status, 400, url);
    assert.match(refused.body.Message, /^Task\.Mounts: .*\/etc.*--volume-root.*CUBE_VOLUME_ROOT/, url);
  }
  const unknown = await post(`${manager.url}/tasks`, {
    Task: { Image: 'strm/helloworld-http', Mounts: [{ Type: 'volume', Source: 'ab', Target: '/d', Driver: 'x' }] },
  });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.Message, /Task\.Mounts\[0\]: "Driver" is not a key of a mount/);

  // A service's task is held to the same roots, when it is created and when it is changed; nothing refused is stored.
  const service = 'binds'; // the manager is this test's own
  const withMounts = (Mounts: unknown[]) => ({ Name: service, Count: 0, Task: { Image: 'strm/helloworld-http', Mounts } });
  const refusedCreate = await post(`${manager.url}/services`, withMounts(outside.Mounts));
  assert.equal(refusedCreate.status, 400);
  assert.match(refusedCreate.body.Message, /^Task\.Mounts: .*\/etc.*--volume-root.*CUBE_VOLUME_ROOT/);
  assert.equal((await get(`${manager.url}/services/${service}`)).status, 404, 'a refused service is not stored');
  assert.equal((await post(`${manager.url}/services`, withMounts([{ Type: 'bind', Source: root, Target: '/host' }]))).status, 201);
  const refusedUpdate = await request('PUT', `${manager.url}/services/${service}`, withMounts(outside.Mounts));
  assert.equal(refusedUpdate.status, 400);
  assert.match(refusedUpdate.body.Message, /^Task\.Mounts: .*\/etc.*--volume-root.*CUBE_VOLUME_ROOT/);
  const kept = await get(`${manager.url}/services/${service}`);
  assert.deepEqual(
    kept.body.Versions.map((v: { Task: Task }) => v.Task.Mounts.map((m) => m.Source)),
    [[root]],
    'the refused change made no version',
  );
  assert.equal((await del(`${manager.url}/services/${service}`)).status, 204);

  const shared = join(root, 'shared');
  mkdirSync(shared);
  writeFileSync(join(shared, 'in.txt'), 'from the host\n');
  const id = `bind-${nanoid(6)}`;
  const bind = {
    ID: id,
    Name: id,
    Image: 'strm/helloworld-http',
    // out.txt is written last, whole (a rename), so once it is there both files are complete.
    Cmd: ['sh', '-c', 'grep " /scratch " /proc/mounts > /host/scratch.txt; cat /host/in.txt > /host/out.tmp; mv /host/out.tmp /host/out.txt; exec /bin/start'],
    Mounts: [
      { Type: 'bind', Source: shared, Target: '/host' },
      { Type: 'tmpfs', Target: '/scratch', Size: '1m' },
    ],
  };
  assert.equal((await post(`${manager.url}/tasks`, { Task: bind })).status, 201);
  await running(manager.url, id);
  await untilFile(join(shared, 'out.txt'));
  assert.equal(readFileSync(join(shared, 'out.txt'), 'utf8'), 'from the host\n', 'the task read and wrote the bound host folder');
  assert.match(readFileSync(join(shared, 'scratch.txt'), 'utf8'), /^tmpfs \/scratch tmpfs .*size=1024k/, 'a tmpfs of 1 MiB at /scratch');
  assert.equal((await del(`${manager.url}/tasks/${id}`)).status, 204);
});
