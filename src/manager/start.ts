// Starts a manager, with workers elsewhere (`cube manager --workers …`), in
// this process (`npm start`), or both. The importable API behind the CLI.
import { join } from 'node:path';
import Router from '@koa/router';
import { nanoid } from 'nanoid';
import { createActor } from 'xstate';
import type { WorkerSpec } from '../../machines/manager.js';
import { readSettings, type Settings } from '../config/settings.js';
import { createApp, listen, type Listening } from '../http/app.js';
import { startInspection } from '../inspect/inspection.js';
import { createLog, type Log } from '../log.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { IntentBatch } from '../store/intent-batch.js';
import { MemoryManagerStore, SqliteManagerStore } from '../store/manager-store.js';
import type { WorkerWrites } from '../worker/writes.js';
import { ManagerWrites } from './writes.js';
import { addWorkerRoutes, workerRoutesHint } from '../worker/api.js';
import { WorkerService, type WorkerRef } from '../worker/service.js';
import { defaultWorkerName, openWorkerWrites, retention, runtimeFromSettings, taskPolicy } from '../worker/from-settings.js';
import { addManagerRoutes, managerRoutesHint } from './api.js';
import { managerLogic, placementPolicy } from './logic.js';
import { ManagerService } from './service.js';
import { addUiRoutes, isUiPath } from '../ui/routes.js';

export interface LocalWorkerOptions {
  name?: string;
  host?: string;
  /** Where its worker API listens; null for none. Default 5555. */
  port?: number | null;
  /** Default: Docker, as the Docker CLI finds it, or at `dockerHost`. */
  runtime?: ContainerRuntime;
  dockerHost?: string;
}

export interface StartManagerOptions {
  host?: string;
  port?: number;
  /** Remote workers, "host:port" each. */
  workers?: string[];
  /** Workers in this process. */
  local?: LocalWorkerOptions[];
  settings?: Partial<Settings>;
  log?: Log;
}

export interface RunningManager {
  url: string;
  service: ManagerService;
  local: { name: string; url: string | null; service: WorkerService }[];
  /** Where to watch its actors, when CUBE_INSPECT is on. */
  inspectUrl: string | undefined;
  close(): Promise<void>;
}

const ADDRESS = /^(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9.-]+):(\d{1,5})$/;

/** Checks "host:port" worker addresses, saying which one is wrong and why. */
export function parseWorkerAddresses(addresses: string[]): string[] {
  return addresses.map((address) => {
    const match = ADDRESS.exec(address.trim());
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      throw new Error(`worker address ${JSON.stringify(address)} is not host:port (like 127.0.0.1:5555 or worker-2:5555)`);
    }
    return address.trim();
  });
}

/** The manager's store and the writes made to it: its file is locked for this process alone. */
function openManagerWrites(settings: Settings, log: Log, batch: IntentBatch): ManagerWrites {
  if (settings.store === 'memory') return new ManagerWrites(new MemoryManagerStore(), 'manager store (memory)', log, batch);
  const file = join(settings.dataDir, 'manager.db');
  return new ManagerWrites(new SqliteManagerStore(file, log), `manager store ${file}`, log, batch);
}

export async function startManager(options: StartManagerOptions = {}): Promise<RunningManager> {
  const settings = { ...readSettings(), ...options.settings };
  const log = options.log ?? createLog('manager');
  const remote = parseWorkerAddresses(options.workers ?? []);
  // Closed in this order: no new requests, then no more work, then the files.
  const servers: Listening[] = [];
  // Users' commands of one turn are written together, on the manager's store and on its workers' here (group commit).
  const intents = new IntentBatch();
  const stores: { close(): void }[] = [];
  let stopActor = () => {};
  const runtimesInUse: ContainerRuntime[] = [];
  const closeAll = async () => {
    await Promise.all(servers.map((s) => s.close()));
    stopActor();
    await Promise.all(runtimesInUse.map((r) => r.settle())); // starts under way finish; the next start adopts them
    for (const store of stores) store.close();
  };
  try {
    const router = new Router();
    const listening = await listen(createApp(router, { settings, role: 'manager', log, routesHint: managerRoutesHint, isPublic: isUiPath }), options.host ?? '127.0.0.1', options.port ?? 5556);
    servers.push(listening);

    // Workers in this process: their engine is checked first, their API listens, their store is read.
    const local: { name: string; router: Router; listening: Listening | null; runtime: ContainerRuntime; engine: string; writes: WorkerWrites }[] = [];
    for (const worker of options.local ?? []) {
      const workerRouter = new Router();
      const workerListening =
        worker.port === null
          ? null
          : await listen(createApp(workerRouter, { settings, role: 'worker', log, routesHint: workerRoutesHint }), worker.host ?? '127.0.0.1', worker.port ?? 5555);
      if (workerListening) servers.push(workerListening);
      const name = worker.name ?? defaultWorkerName(workerListening);
      const runtime = worker.runtime ?? runtimeFromSettings(settings, name, worker.dockerHost);
      const engine = await runtime.describe();
      runtimesInUse.push(runtime);
      const writes = openWorkerWrites(settings, name, log, intents);
      stores.push(writes);
      local.push({ name, router: workerRouter, listening: workerListening, runtime, engine, writes });
    }
    const runtimes = new Map(local.map((w) => [w.name, w.runtime]));
    const startedAt = new Date().toISOString();
    const specs: WorkerSpec[] = [
      ...local.map((w) => {
        const { tasks, done, tombstones } = w.writes.store.load();
        const address = w.listening ? `${w.listening.host}:${w.listening.port}` : 'in-process';
        return { name: w.name, address, local: { name: w.name, policy: taskPolicy(settings), restore: tasks, done, tombstones, startedAt, retention: retention(settings) } };
      }),
      ...remote.map((address) => ({ name: address, address })),
    ];

    const writes = openManagerWrites(settings, log, intents);
    stores.push(writes);
    const restore = writes.store.load();
    const localWrites = new Map(local.map((w) => [w.name, w.writes]));
    const logic = managerLogic((name) => runtimes.get(name)!, settings, log, writes, (name) => localWrites.get(name)!);
    const inspection = startInspection(settings, log, `${listening.url}/ui`);
    const actor = createActor(logic, {
      input: {
        workers: specs,
        placement: placementPolicy(settings.scheduler),
        heartbeatTtlMs: settings.heartbeatTtlMs,
        startedAt,
        incarnation: nanoid(6),
        restore: { ...restore, ...(restore.meta ? { meta: restore.meta } : {}) },
        retention: retention(settings),
      },
      id: 'manager',
      systemId: 'manager',
      ...(inspection ? { inspect: inspection.inspect } : {}),
    });
    const service = new ManagerService(actor, writes, log, intents);
    try {
      writes.writeMeta(); // this start's placements are known as its own after a restart, even once their tasks are pruned
    } catch (error) {
      log(`${writes.store instanceof SqliteManagerStore ? writes.store.file : 'manager store'}: could not write this start's identity (${(error as Error).message}); stale copies of its tasks may be adopted after a restart`);
    }
    actor.start();
    stopActor = () => {
      actor.stop();
      inspection?.stop();
    };

    const localServices = local.map((w) => {
      const workerService = new WorkerService(w.name, actor.system.get(`worker:${w.name}`) as WorkerRef, w.runtime, (id) => w.writes.read(id));
      addWorkerRoutes(w.router, workerService);
      return { name: w.name, url: w.listening?.url ?? null, service: workerService };
    });
    addManagerRoutes(router, service, settings.stopTimeoutMs + 5000, { local: localServices.map((w) => w.service), token: settings.token });
    addUiRoutes(router);
    const engines = new Map(local.map((w) => [w.name, w.engine]));
    const workers = specs.map((s) => (engines.has(s.name) ? `${s.name} with ${engines.get(s.name)}` : s.name)).join(', ') || 'none';
    log(`manager serving on ${listening.url} (scheduler ${settings.scheduler}; workers ${workers}); ${restore.tasks.length} task(s) restored, ${restore.done.length} completed`);
    return { url: listening.url, service, local: localServices, inspectUrl: inspection?.url, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
