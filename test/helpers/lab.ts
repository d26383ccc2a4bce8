// A lab for tests with real processes: cube workers and managers started as a
// person would start them, on one data dir per test, with short timings; when
// the test ends they are killed and their containers removed.
import type { TestContext } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '../../src/vocabulary/task.js';
import { spawnCube, type CubeProcess } from './cube-process.js';
import assert from 'node:assert/strict';
import { removeContainersOf, runningCopiesOf, untilEngine } from './docker.js';
import { get } from './http.js';
import { untilView } from './watch.js';

export const env = (dataDir: string, extra: Record<string, string> = {}) => ({
  CUBE_DATA_DIR: dataDir,
  CUBE_STORE: 'sqlite',
  CUBE_HEARTBEAT_TTL: '1500ms',
  CUBE_RESTART_DELAY: '200ms',
  CUBE_RESTART_LIMIT: '10',
  CUBE_RECONCILE_INTERVAL: '1s',
  ...extra,
});

/** Starts cube processes for one test, and stops them and removes their containers when it ends. */
export function lab(t: TestContext) {
  const processes: CubeProcess[] = [];
  const workers: string[] = [];
  t.after(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    for (const name of workers) await removeContainersOf(name);
  });
  const track = (p: CubeProcess) => (processes.push(p), p);
  return {
    dir: mkdtempSync(join(tmpdir(), 'cube-faults-')),
    async worker(name: string, settings: Record<string, string>, port = '0', ...args: string[]) {
      if (!workers.includes(name)) workers.push(name);
      const process = track(await spawnCube(['worker', '--port', port, '--name', name, ...args], settings));
      return { process, name, address: process.url.replace('http://', '') };
    },
    async manager(addresses: string[], settings: Record<string, string>, port = '0', ...args: string[]) {
      return track(await spawnCube(['manager', '--port', port, '--workers', addresses.join(','), ...args], settings));
    },
  };
}

export const hello = (name: string) => ({ Task: { Image: 'strm/helloworld-http', Name: name } });
export const running = (ids: string[]) => (v: { tasks: Task[] }) => ids.every((id) => v.tasks.find((t) => t.ID === id)?.State === 2);

/** Every task Running on the manager, each with exactly one running container carrying its label, on the whole engine. */
export async function runningOnce(managerUrl: string, ids: string[], timeoutMs = 40_000): Promise<void> {
  await untilView(managerUrl, running(ids), timeoutMs);
  await untilEngine(
    async () => (await Promise.all(ids.map(runningCopiesOf))).every((copies) => copies.length === 1),
    timeoutMs,
    'one running container per task',
  );
  const tasks = (await get<Task[]>(`${managerUrl}/tasks`)).body;
  for (const id of ids) assert.equal(tasks.find((t) => t.ID === id)?.State, 2, `task ${id} is Running on the manager`);
}
