// A worker started again under another name in the same data dir (issue 25):
// it says which worker's records there left tasks running, unwatched, and how
// to go on; the renamed worker still starts, and the old name finds its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { startWorker } from '../../src/worker/start.js';
import type { Task } from '../../src/vocabulary/task.js';
import { removeContainersOf } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';
import { testSettings, untilTask } from '../helpers/worker.js';

test('a worker renamed over a data dir names the worker whose tasks were left running there', { timeout: 60_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cube-former-'));
  const settings = testSettings({ store: 'sqlite', dataDir });
  const old = `old-${nanoid(6)}`;
  const renamed = `new-${nanoid(6)}`;
  t.after(async () => {
    await removeContainersOf(old);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const first = await startWorker({ port: 0, name: old, settings, log: () => undefined });
  const created = await post<Task>(`${first.url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: `kept-${old}` } });
  await untilTask(first, created.body.ID, (task) => task.State === 2);
  await first.close(); // its container runs on, as a stopped worker's do

  const lines: string[] = [];
  const second = await startWorker({ port: 0, name: renamed, settings, log: (line) => lines.push(line) });
  try {
    assert.equal((await get(`${second.url}/tasks`)).status, 200, 'the renamed worker starts and serves');
    const said = lines.find((line) => line.includes('not running and left'));
    assert.ok(said, lines.join('\n'));
    assert.match(
      said,
      new RegExp(`records of worker "${old}" \\(.*worker-${old}\\.db\\), which is not running and left 1 task\\(s\\) running \\(kept-${old}\\)`),
    );
    assert.match(said, new RegExp(`start it as --name ${old}; .*docker rm -f \\$\\(docker ps -aq --filter label=cube.worker=${old}\\)`));
  } finally {
    await second.close();
  }

  const quiet: string[] = [];
  const again = await startWorker({ port: 0, name: old, settings, log: (line) => quiet.push(line) });
  try {
    assert.ok(!quiet.some((line) => line.includes('not running and left')), `its own records, and none left running by another: ${quiet.join('\n')}`);
    await untilTask(again, created.body.ID, (task) => task.State === 2 && task.ContainerID !== '');
  } finally {
    await again.close();
  }
});
