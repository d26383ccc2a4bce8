// Two workers of one cluster on one Docker engine, each with its own data dir
// (issue 23): they used to make an identity each, so when a frozen worker's
// tasks moved to the other, its start met the first's container as "taken by
// another Cube installation", flapped, and ended Failed with no container.
// Now both take their manager's identity and hand a task over as within one
// process. Real processes, the real engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import type { Task } from '../../src/vocabulary/task.js';
import { get, post } from '../helpers/http.js';
import { env, hello, lab, runningOnce } from '../helpers/lab.js';
import { untilView } from '../helpers/watch.js';
import { printed } from '../helpers/cube-process.js';

const ownDir = () => mkdtempSync(join(tmpdir(), 'cube-own-'));

test(
  'one worker frozen past the TTL, then both: every task ends Running once, on the workers of one cluster sharing an engine',
  { timeout: 120_000 },
  async (t) => {
    const cube = lab(t);
    const timings = { CUBE_HEARTBEAT_TTL: '4s' };
    const a = await cube.worker(`sea-${nanoid(5)}`, env(ownDir(), timings));
    const b = await cube.worker(`seb-${nanoid(5)}`, env(ownDir(), timings));
    const manager = await cube.manager([a.address, b.address], env(ownDir(), timings), '0', '--scheduler', 'roundrobin');
    await untilView(manager.url, (v) => v.nodes.length === 2 && v.nodes.every((n) => n.State === 'up'));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await post<Task>(`${manager.url}/tasks`, hello(`${a.name}-${i}`))).body.ID);
    await runningOnce(manager.url, ids);

    // A frozen past the TTL: its tasks move to B, whose starts meet A's containers of them.
    a.process.child.kill('SIGSTOP');
    await untilView(manager.url, (v) => ids.every((id) => v.tasks.find((task) => task.ID === id)?.Worker === b.address));
    await runningOnce(manager.url, ids);
    a.process.child.kill('SIGCONT');
    await untilView(manager.url, (v) => v.nodes.every((n) => n.State === 'up'));
    await runningOnce(manager.url, ids);

    // Both frozen past the TTL, then thawed.
    a.process.child.kill('SIGSTOP');
    b.process.child.kill('SIGSTOP');
    await untilView(manager.url, (v) => v.nodes.every((n) => n.State === 'down'));
    a.process.child.kill('SIGCONT');
    b.process.child.kill('SIGCONT');
    await untilView(manager.url, (v) => v.nodes.every((n) => n.State === 'up'));
    await runningOnce(manager.url, ids);

    const tasks = (await get<Task[]>(`${manager.url}/tasks`)).body.filter((task) => ids.includes(task.ID));
    for (const task of tasks) {
      const foreign = task.Events.find((e) => /another Cube installation/.test(e.Message));
      assert.equal(foreign, undefined, `task ${task.ID} never took its own cluster's container for a stranger's: ${foreign?.Message}`);
    }
  },
);

test('a worker of one cluster refuses a manager of another, in one line naming both; a --join to one stops there', { timeout: 60_000 }, async (t) => {
  const cube = lab(t);
  const worker = await cube.worker(`one-${nanoid(5)}`, env(ownDir()));
  const first = await cube.manager([worker.address], env(ownDir()));
  await untilView(first.url, (v) => v.nodes[0]?.State === 'up');
  const other = await cube.manager([worker.address], env(ownDir()));
  const view = await untilView(other.url, (v) => /a worker serves one cluster/.test(v.nodes[0]?.Problem ?? ''));
  const [, mine, theirs] = /this worker is of Cube cluster ([a-z0-9]{12}), and a manager of cluster ([a-z0-9]{12}) called it/.exec(view.nodes[0].Problem)!;
  assert.notEqual(mine, theirs);
  assert.equal(view.nodes[0].State, 'suspect');
  const said = worker.process
    .output()
    .split('\n')
    .filter((line) => line.includes(`a manager of cluster ${theirs} called it`));
  assert.equal(said.length, 1, 'said once in its log, however often that manager calls');

  // A worker of the first cluster that is told to join the other stops joining, and says why.
  const dir = ownDir();
  const joining = await cube.worker(`two-${nanoid(5)}`, { ...env(dir), CUBE_JOIN: first.url.replace('http://', '') });
  await untilView(first.url, (v) => v.nodes.some((n) => n.Name === joining.name && n.State === 'up'));
  await joining.process.stop();
  const again = await cube.worker(joining.name, { ...env(dir), CUBE_JOIN: other.url.replace('http://', '') });
  await printed(again.process)(
    new RegExp(`does not join: manager ${other.url.replace('http://', '')}: this worker is of Cube cluster ${mine}, and a manager of cluster ${theirs}`),
  );
});
