// A manager's history for bench/scale.ts: real `cube start --runtime fake`
// processes (the FAKE runtime: simulated containers, nothing runs) on a data
// dir of their own, and a data dir that holds N finished tasks, made once
// through the public API (POST, every task Running, DELETE, every task
// Completed) and copied for each round, so every round starts from the same
// files.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { root } from './lib.js';
import { followEvents, postAll, sendAll, spawnCubeStart, type Call, type EventCounter } from './scale-client.js';

/** Retention keeps up to this many finished tasks in every run, on both sides of a comparison, so the history is not pruned. */
export const RETENTION_MAX = 100_000;
const IN_FLIGHT = 64;
const IMAGE = 'strm/helloworld-http';

export const freshDir = () => mkdtempSync(join(tmpdir(), 'cube-scale-'));

/** Settings every `cube start` of the benchmark gets, empty data dir or not: the fake runtime, the worker's name (its store file is named for it), retention. */
export function cubeEnv(dataDir: string, extra: Record<string, string>): Record<string, string> {
  return { CUBE_RUNTIME: 'fake', CUBE_DATA_DIR: dataDir, CUBE_WORKER_NAME: 'bench', CUBE_RETENTION_MAX: String(RETENTION_MAX), ...extra };
}

export interface Cube {
  url: string;
  pid: number;
  /** From the spawn to the "listening" line, in ms. */
  listenMs: number;
  /** performance.now() at the spawn. */
  spawnedAt: number;
  /** SIGTERM, as Ctrl-C would, and waits for it to exit (SIGKILL after 30 s). */
  stop(): Promise<void>;
}

/** Runs `cube start` of this checkout (its build in dist/) on `dataDir`; resolves once it says it listens. */
export async function runCube(dataDir: string, extra: Record<string, string>): Promise<Cube> {
  const spawnedAt = performance.now();
  const { child, listening, exited } = spawnCubeStart(root, cubeEnv(dataDir, extra));
  const url = await listening;
  const listenMs = performance.now() - spawnedAt;
  return {
    url,
    pid: child.pid!,
    listenMs,
    spawnedAt,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/** A data dir whose manager and worker hold `n` Completed tasks, made through the public API. */
export async function makeHistory(n: number, extra: Record<string, string>): Promise<{ dir: string; seconds: number }> {
  if (n > RETENTION_MAX) throw new Error(`a history of ${n} tasks is more than retention keeps (${RETENTION_MAX})`);
  const dir = freshDir();
  const begin = performance.now();
  const cube = await runCube(dir, extra);
  try {
    const events = await followEvents(cube.url);
    await events.workerUp;
    const progress = setInterval(() => console.log(`  history: ${events.events} events so far`), 10_000);
    try {
      await runAndStop(cube.url, events, n, 'history');
    } finally {
      clearInterval(progress);
      events.close();
    }
  } finally {
    await cube.stop();
  }
  return { dir, seconds: (performance.now() - begin) / 1000 };
}

/**
 * POSTs `n` new tasks named `<name>-<i>`, waits until `events` (a fresh
 * GET /events of that manager) has seen every one Running, DELETEs them all
 * and waits until it has seen every one Completed.
 */
export async function runAndStop(url: string, events: EventCounter, n: number, name: string): Promise<void> {
  const ids = Array.from({ length: n }, () => nanoid());
  await postAll(
    url,
    ids.map((ID, i) => JSON.stringify({ Task: { ID, Name: `${name}-${i}`, Image: IMAGE } })),
    IN_FLIGHT,
  );
  await events.reached(2, n);
  // 202: the stop is stored and carried out; every task is seen Completed below either way.
  const deletes: Call[] = ids.map((id) => ({ method: 'DELETE', path: `/tasks/${id}` }));
  await sendAll(url, deletes, IN_FLIGHT, [202, 204]);
  await events.reached(3, n);
}

/** A copy of `history` (or an empty dir when it is undefined) for one round; the caller removes it. */
export function roundDir(history: string | undefined): string {
  const dir = freshDir();
  if (history) cpSync(history, dir, { recursive: true });
  return dir;
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });
