// Starts a worker: the importable API behind `cube worker`, used by tests and
// by `npm start`. It checks the container engine first and says how to get one.
import { hostname } from 'node:os';
import { join } from 'node:path';
import Router from '@koa/router';
import { createActor } from 'xstate';
import type { TaskPolicy } from '../../machines/task.js';
import { readSettings, type Settings } from '../config/settings.js';
import { createApp, listen, type Listening } from '../http/app.js';
import { startInspection } from '../inspect/inspection.js';
import { createLog, type Log } from '../log.js';
import { DockerRuntime } from '../runtime/docker.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { SqliteTaskStore } from '../store/sqlite-task-store.js';
import { MemoryTaskStore, type TaskStore } from '../store/task-store.js';
import { addWorkerRoutes, workerRoutesHint } from './api.js';
import { workerLogic } from './logic.js';
import { WorkerService } from './service.js';
import { statsSampler } from './stats.js';

export interface StartWorkerOptions {
  host?: string;
  port?: number;
  /** Unique per engine; containers carry it. Default `<hostname>:<port>`. */
  name?: string;
  settings?: Partial<Settings>;
  /** Default: Docker, found as the Docker CLI finds it, or at `dockerHost`. */
  runtime?: ContainerRuntime;
  dockerHost?: string;
  log?: Log;
}

export interface RunningWorker {
  name: string;
  url: string;
  service: WorkerService;
  /** Where to watch its actors, when CUBE_INSPECT is on. */
  inspectUrl: string | undefined;
  /** Stops serving; the containers keep running, to be adopted by the next start. */
  close(): Promise<void>;
}

export function taskPolicy(settings: Settings): TaskPolicy {
  return {
    restartLimit: settings.restartLimit,
    restartDelayMs: settings.restartDelayMs,
    restartDelayMaxMs: settings.restartDelayMaxMs,
    healthFailures: settings.healthFailures,
  };
}

/** Heartbeats must come well inside the TTL: three per TTL, at most every 5 s. */
export const heartbeatInterval = (settings: Settings) => Math.min(5000, Math.floor(settings.heartbeatTtlMs / 3));

export function openTaskStore(settings: Settings, name: string): TaskStore {
  if (settings.store === 'memory') return new MemoryTaskStore();
  return new SqliteTaskStore(join(settings.dataDir, `worker-${name.replace(/[^a-zA-Z0-9_.-]/g, '_')}.db`));
}

export async function startWorker(options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const settings = { ...readSettings(), ...options.settings };
  const router = new Router();
  const log = options.log ?? createLog('worker');
  const app = createApp(router, { token: settings.token, log, routesHint: workerRoutesHint });
  const listening: Listening = await listen(app, options.host ?? '127.0.0.1', options.port ?? 5555);
  const name = options.name ?? `${hostname()}:${listening.port}`;
  try {
    const runtime =
      options.runtime ??
      new DockerRuntime({
        worker: name,
        host: options.dockerHost,
        stopTimeoutSeconds: Math.ceil(settings.stopTimeoutMs / 1000),
        callTimeoutMs: settings.dockerTimeoutMs,
      });
    const engine = await runtime.describe();
    const store = openTaskStore(settings, name);
    const restore = store.load();
    const logic = workerLogic(() => runtime, {
      health: { intervalMs: settings.healthIntervalMs, timeoutMs: settings.healthTimeoutMs },
      reconcileIntervalMs: settings.reconcileIntervalMs,
      statsIntervalMs: heartbeatInterval(settings),
      sampleStats: statsSampler(settings.store === 'memory' ? '/' : settings.dataDir),
      log,
    });
    const inspection = startInspection(settings, log);
    const actor = createActor(logic, {
      input: { name, policy: taskPolicy(settings), restore },
      id: `worker:${name}`,
      systemId: `worker:${name}`,
      ...(inspection ? { inspect: inspection.inspect } : {}),
    });
    const service = new WorkerService(name, actor, store);
    actor.start();
    addWorkerRoutes(router, service);
    log(`worker ${name} serving on ${listening.url} with ${engine}; ${restore.length} task(s) restored`);
    return {
      name,
      url: listening.url,
      service,
      inspectUrl: inspection?.url,
      close: async () => {
        await listening.close();
        actor.stop();
        inspection?.stop();
        await runtime.settle(); // a start under way finishes; the next start of this worker adopts it
        store.close();
      },
    };
  } catch (error) {
    await listening.close();
    throw error;
  }
}
