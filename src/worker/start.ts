// Starts a worker: the importable API behind `cube worker`, used by tests and
// by `npm start`. It checks the container engine first and says how to get one.
import Router from '@koa/router';
import { createActor } from 'xstate';
import { readSettings, SettingsError, type Settings } from '../config/settings.js';
import { createApp, listen, type Listening } from '../http/app.js';
import { startInspection } from '../inspect/inspection.js';
import { createLog, type Log } from '../log.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { addWorkerRoutes, workerRoutesHint } from './api.js';
import { measureRuntime } from '../metrics/docker.js';
import { addMetricsRoute, apiMetrics } from '../metrics/registry.js';
import { workerMetrics } from '../metrics/worker.js';
import { defaultWorkerName, openWorkerWrites, reportFormerWorkers, retention, runtimeFromSettings, taskPolicy, workerLogicOptions } from './from-settings.js';
import { workerLogic } from './logic.js';
import { WorkerService } from './service.js';
import { parseJoin, startJoining } from './join.js';
import { tlsClient } from '../tls/client.js';
import { ClusterIdentity } from '../store/cluster-id.js';
import { clusterCheck } from './cluster-check.js';

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

/** Where managers reach a worker that joins: where it listens, unless that is every address. */
function joinAddress(listening: Listening): string {
  if (listening.host === '0.0.0.0' || listening.host === '::') {
    throw new SettingsError(
      `a worker that joins and listens on every address (${listening.host}) must say where managers reach it: --advertise host:port (CUBE_ADVERTISE)`,
    );
  }
  return listening.url.replace(/^https?:\/\//, '');
}

export async function startWorker(options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const settings = { ...readSettings(), ...options.settings };
  // --join: registers with the cluster through any of the managers named (src/worker/join.ts).
  const managers = parseJoin(settings.join);
  const router = new Router();
  const log = options.log ?? createLog('worker');
  const metrics = apiMetrics();
  const app = createApp(router, { settings, role: 'worker', log, routesHint: workerRoutesHint, measure: metrics.measure });
  const listening: Listening = await listen(app, options.host ?? '127.0.0.1', options.port ?? 5555);
  const name = options.name ?? defaultWorkerName(listening);
  try {
    const advertise = managers.length === 0 ? undefined : settings.advertise || joinAddress(listening);
    const cluster = ClusterIdentity.open(settings.dataDir, { keep: settings.store !== 'memory', max: settings.recordMax });
    const runtime = measureRuntime(metrics.registry, options.runtime ?? runtimeFromSettings(settings, name, cluster, options.dockerHost));
    const engine = await runtime.describe();
    const writes = openWorkerWrites(settings, name, log);
    reportFormerWorkers(settings, [name], log);
    const restore = writes.store.load();
    const logic = workerLogic(
      () => runtime,
      workerLogicOptions(settings, log, () => writes),
    );
    const inspection = startInspection(settings, log);
    const actor = createActor(logic, {
      input: {
        name,
        policy: taskPolicy(settings),
        restore: restore.tasks,
        done: restore.done,
        tombstones: restore.tombstones,
        archive: restore.archive,
        startedAt: new Date().toISOString(),
        retention: retention(settings),
      },
      id: `worker:${name}`,
      systemId: `worker:${name}`,
      ...(inspection ? { inspect: inspection.inspect } : {}),
    });
    const service = new WorkerService(name, actor, runtime, (id) => writes.read(id));
    actor.start();
    router.use(clusterCheck(cluster, name, log));
    const sayGoodbye = addWorkerRoutes(router, service);
    const stopMetrics = workerMetrics(metrics.registry, service);
    addMetricsRoute(router, metrics.registry);
    log(`worker ${name} serving on ${listening.url} with ${engine}; ${restore.tasks.length} task(s) restored, ${restore.done.size} completed`);
    const joining =
      advertise === undefined
        ? undefined
        : startJoining({
            name,
            address: advertise,
            managers,
            token: settings.token,
            joinTtlMs: settings.joinTtlMs,
            cluster,
            log,
            ...(settings.tlsDir ? { tls: tlsClient(settings.tlsDir, 'worker', 'manager') } : {}),
          });
    return {
      name,
      url: listening.url,
      service,
      inspectUrl: inspection?.url,
      close: async () => {
        joining?.stop();
        await sayGoodbye(); // before the connections are cut: the managers hear it stopped, not that it broke
        await listening.close();
        actor.stop();
        stopMetrics();
        inspection?.stop();
        await runtime.settle(); // a start under way finishes; the next start of this worker adopts it
        writes.close();
      },
    };
  } catch (error) {
    await listening.close();
    throw error;
  }
}
