// A manager on a local store (SQLite, or memory): the only manager, with
// workers elsewhere (`cube manager --workers …`, or workers that join), in
// this process (`npm start`), or both.
import { join } from 'node:path';
import Router from '@koa/router';
import type { WorkerSpec } from '../../../machines/manager.js';
import type { Settings } from '../../config/settings.js';
import { createApp, listen, type Listening } from '../../http/app.js';
import { createLog, type Log } from '../../log.js';
import { parseWorkerAddresses, type RunningManager, type StartManagerOptions } from './options.js';
import type { ContainerRuntime } from '../../runtime/types.js';
import { IntentBatch } from '../../store/intent-batch.js';
import { MemoryManagerStore, SqliteManagerStore } from '../../store/manager-store.js';
import type { WorkerWrites } from '../../store/worker-writes.js';
import { ManagerWrites } from '../../store/manager-writes.js';
import { addWorkerRoutes, workerRoutesHint } from '../../worker/api.js';
import { WorkerService, type WorkerRef } from '../../worker/service.js';
import { defaultWorkerName, openWorkerWrites, reportFormerWorkers, retention, runtimeFromSettings, taskPolicy } from '../../worker/from-settings.js';
import { addManagerRoutes, managerRoutesHint } from '../http/api.js';
import { addMembershipRoutes } from '../http/membership-api.js';
import { runManager } from '../run/run.js';
import { workersToStart } from '../../store/node-records.js';
import { addUiRoutes, isUiPath } from '../../http/ui-routes.js';
import { ClusterIdentity } from '../../store/cluster-id.js';
import { clusterCheck } from '../../worker/cluster-check.js';
import type { Registry } from 'prom-client';
import { measureRuntime } from '../../metrics/docker.js';
import { ManagerMetrics } from '../../metrics/manager.js';
import { addMetricsRoute, apiMetrics } from '../../metrics/registry.js';
import { storeMetrics } from '../../metrics/store.js';
import { workerMetrics } from '../../metrics/worker.js';

/** The manager's store and the writes made to it: its file is locked for this process alone. */
function openManagerWrites(settings: Settings, log: Log, batch: IntentBatch): ManagerWrites {
  if (settings.store === 'memory') return new ManagerWrites(new MemoryManagerStore(), 'manager store (memory)', log, batch);
  const file = join(settings.dataDir, 'manager.db');
  return new ManagerWrites(new SqliteManagerStore(file, log, settings.recordMax), `manager store ${file}`, log, batch);
}

export async function startLocalManager(options: StartManagerOptions, settings: Settings): Promise<RunningManager> {
  const log = options.log ?? createLog('manager');
  const remote = parseWorkerAddresses(options.workers ?? []);
  // Closed in this order: no new requests, then no more work, then the files.
  const servers: Listening[] = [];
  // Users' commands of one turn are written together, on the manager's store and on its workers' here (group commit).
  const intents = new IntentBatch();
  const stores: { close(): void }[] = [];
  let stopActor = () => {};
  const stopMetrics: (() => void)[] = [];
  const runtimesInUse: ContainerRuntime[] = [];
  const closeAll = async () => {
    await Promise.all(servers.map((s) => s.close()));
    stopActor();
    stopMetrics.forEach((stop) => stop());
    await Promise.all(runtimesInUse.map((r) => r.settle())); // starts under way finish; the next start adopts them
    for (const store of stores) store.close();
  };
  try {
    const router = new Router();
    const metrics = apiMetrics();
    const listening = await listen(
      createApp(router, { settings, role: 'manager', log, routesHint: managerRoutesHint, isPublic: isUiPath, measure: metrics.measure }),
      options.host ?? '127.0.0.1',
      options.port ?? 5556,
    );
    servers.push(listening);

    // The data dir's identity is this cluster's: its workers (here and elsewhere) take it, and no other manager's.
    const cluster = ClusterIdentity.open(settings.dataDir, { keep: settings.store !== 'memory', max: settings.recordMax });
    cluster.join(cluster.id);

    // Workers in this process: their engine is checked first, their API listens, their store is read.
    const local: {
      name: string;
      router: Router;
      listening: Listening | null;
      runtime: ContainerRuntime;
      engine: string;
      writes: WorkerWrites;
      registry: Registry;
    }[] = [];
    for (const worker of options.local ?? []) {
      const workerRouter = new Router();
      // Each worker's API has its own registry: one process, no metric registered twice.
      const workerApi = apiMetrics();
      const workerListening =
        worker.port === null
          ? null
          : await listen(
              createApp(workerRouter, { settings, role: 'worker', log, routesHint: workerRoutesHint, measure: workerApi.measure }),
              worker.host ?? '127.0.0.1',
              worker.port ?? 5555,
            );
      if (workerListening) servers.push(workerListening);
      const name = worker.name ?? defaultWorkerName(workerListening);
      const runtime = measureRuntime(workerApi.registry, worker.runtime ?? runtimeFromSettings(settings, name, cluster, worker.dockerHost));
      const engine = await runtime.describe();
      runtimesInUse.push(runtime);
      const writes = openWorkerWrites(settings, name, log, intents);
      stores.push(writes);
      local.push({ name, router: workerRouter, listening: workerListening, runtime, engine, writes, registry: workerApi.registry });
    }
    reportFormerWorkers(
      settings,
      local.map((w) => w.name),
      log,
    );
    const runtimes = new Map(local.map((w) => [w.name, w.runtime]));
    const startedAt = new Date().toISOString();
    const writes = openManagerWrites(settings, log, intents);
    stores.push(writes);
    const restore = writes.store.load();
    const nodes = writes.store.loadNodes();
    const recorded = new Map(nodes.map((n) => [n.Name, n]));
    const specs: WorkerSpec[] = [
      ...local.map((w) => {
        const { tasks, done, tombstones, archive } = w.writes.store.load();
        const address = w.listening ? `${w.listening.host}:${w.listening.port}` : 'in-process';
        return {
          name: w.name,
          address,
          draining: recorded.get(w.name)?.Draining ?? false,
          labelEdits: recorded.get(w.name)?.Labels ?? {},
          local: { name: w.name, policy: taskPolicy(settings), restore: tasks, done, tombstones, archive, startedAt, retention: retention(settings) },
        };
      }),
      ...workersToStart(remote, nodes),
    ];

    const localWrites = new Map(local.map((w) => [w.name, w.writes]));
    const run = runManager({
      settings,
      log,
      writes,
      intents,
      workers: specs,
      restore,
      runtimes: (name) => runtimes.get(name)!,
      workerWrites: (name) => localWrites.get(name)!,
      liveView: `${listening.url}/ui`,
      cluster: cluster.id,
    });
    const { service } = run;
    stopActor = () => run.stop('the manager is stopping');

    const localServices = local.map((w) => {
      const workerService = new WorkerService(w.name, service.actor.system.get(`worker:${w.name}`) as WorkerRef, w.runtime, (id) => w.writes.read(id));
      w.router.use(clusterCheck(cluster, w.name, log));
      addWorkerRoutes(w.router, workerService);
      stopMetrics.push(workerMetrics(w.registry, workerService));
      addMetricsRoute(w.router, w.registry);
      return { name: w.name, url: w.listening?.url ?? null, service: workerService };
    });
    stopMetrics.push(new ManagerMetrics(metrics.registry).watch(service), storeMetrics(metrics.registry, 'manager store'));
    addMetricsRoute(router, metrics.registry);
    addMembershipRoutes(router, run.registry);
    addManagerRoutes(router, service, run.services, settings.stopTimeoutMs + 5000, {
      local: localServices.map((w) => w.service),
      token: settings.token,
      lineMax: settings.logLineMax,
    });
    addUiRoutes(router);
    // Each worker in this process is named with its engine: a fake one (CUBE_RUNTIME=fake) must never pass for Docker.
    const engines = new Map(local.map((w) => [w.name, w.engine]));
    const workers =
      specs.map((s) => (engines.has(s.name) ? `${s.name} with ${engines.get(s.name)}` : s.name)).join(', ') ||
      'none yet (workers join with cube worker --join)';
    log(
      `manager serving on ${listening.url} (scheduler ${settings.scheduler}; workers ${workers}); ${restore.tasks.length} task(s) restored, ${restore.done.size} completed`,
    );
    return { url: listening.url, service, local: localServices, inspectUrl: run.inspectUrl, onService: (listener) => listener(service), close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
