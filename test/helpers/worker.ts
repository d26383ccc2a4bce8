// A real worker for integration tests: real Docker, a real HTTP server on a
// loopback port, its own name (so its containers are its own) and settings in
// milliseconds. Everything it started is removed when the test ends.
import type { TestContext } from 'node:test';
import { nanoid } from 'nanoid';
import type { Settings } from '../../src/config/settings.js';
import { readSettings } from '../../src/config/settings.js';
import { silentLog } from '../../src/log.js';
import type { Task } from '../../src/vocabulary/task.js';
import { startWorker, type RunningWorker, type StartWorkerOptions } from '../../src/worker/start.js';
import { waitForTask, type CommandTarget } from '../../src/actors/requests.js';
import { removeContainersOf } from './docker.js';

/** Settings that keep tests quick: a restart waits long enough to be observed. */
export const testSettings = (overrides: Partial<Settings> = {}): Settings => ({
  ...readSettings({}, {}),
  store: 'memory',
  healthIntervalMs: 100,
  healthTimeoutMs: 500,
  restartDelayMs: 60_000,
  stopTimeoutMs: 2000,
  heartbeatTtlMs: 3000,
  ...overrides,
});

export async function testWorker(t: TestContext, options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const name = options.name ?? `test-${nanoid(8)}`;
  const worker = await startWorker({ port: 0, log: silentLog, ...options, name, settings: testSettings(options.settings) });
  t.after(async () => {
    await worker.close();
    await removeContainersOf(name);
  });
  return worker;
}

/**
 * Resolves when the worker's record of a task satisfies `done`, reacting to
 * its updates; after `timeoutMs` it fails with the record as it stands, so a
 * wait that never ends says where the task got stuck instead of hanging.
 */
export async function untilTask(worker: RunningWorker, id: string, done: (task: Task) => boolean, timeoutMs = 45_000): Promise<Task> {
  const record = () => worker.service.actor.getSnapshot().context.tasks.get(id);
  const target = worker.service.actor as unknown as CommandTarget;
  const found = await waitForTask(target, id, record(), done, AbortSignal.timeout(timeoutMs));
  if (found) return found;
  const last = record();
  const history = last?.Events.slice(-5).map((e) => `${e.Type}: ${e.Message}`) ?? [];
  throw new Error(
    `task ${id} did not get there within ${timeoutMs} ms; it is ${last?.StateName ?? 'unknown to the worker'}, last events: ${history.join(' | ')}`,
  );
}
