// A lab for tests with real processes: cube workers and managers started as a
// person would start them, on one data dir per test, with short timings; when
// the test ends they are killed and their containers removed.
import type { TestContext } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '../../src/vocabulary/task.js';
import { spawnCube, type CubeProcess } from './cube-process.js';
import { removeContainersOf } from './docker.js';

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
    async worker(name: string, settings: Record<string, string>, port = '0') {
      if (!workers.includes(name)) workers.push(name);
      const process = track(await spawnCube(['worker', '--port', port, '--name', name], settings));
      return { process, name, address: process.url.replace('http://', '') };
    },
    async manager(addresses: string[], settings: Record<string, string>, port = '0', ...args: string[]) {
      return track(await spawnCube(['manager', '--port', port, '--workers', addresses.join(','), ...args], settings));
    },
  };
}

export const hello = (name: string) => ({ Task: { Image: 'strm/helloworld-http', Name: name } });
export const running = (ids: string[]) => (v: { tasks: Task[] }) => ids.every((id) => v.tasks.find((t) => t.ID === id)?.State === 2);
