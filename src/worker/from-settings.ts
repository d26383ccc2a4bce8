// How a worker is built from Cube's settings, the same way whether it runs
// alone (`cube worker`) or in a manager's process (`npm start`): its name, its
// runtime, its store, its task policy and the options of its logic.
import { hostname } from 'node:os';
import { formerWorkerMessage, formerWorkers } from '../store/former-workers.js';
import { join } from 'node:path';
import type { TaskPolicy } from '../../machines/task.js';
import type { Retention } from '../vocabulary/retention.js';
import { listOf, type Settings } from '../config/settings.js';
import type { Log } from '../log.js';
import { DockerRuntime } from '../runtime/docker.js';
import { FakeRuntime } from '../runtime/fake.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { SqliteTaskStore } from '../store/sqlite-task-store.js';
import type { ClusterIdentity } from '../store/cluster-id.js';
import { MemoryTaskStore } from '../store/task-store.js';
import type { IntentBatch } from '../store/intent-batch.js';
import { WorkerWrites } from '../store/worker-writes.js';
import type { WorkerLogicOptions } from './logic.js';
import { statsSampler, withVolumeRoots } from './stats.js';

/**
 * The address a manager dials to reach the worker (`127.0.0.1:5555`), so the
 * manager's `--workers` and the worker's own history name it alike; a worker
 * on every address (0.0.0.0, ::) is `<hostname>:<port>`, and one without an API
 * `<hostname>:local`. Unique per engine (ports are unique per host) and the same
 * across restarts, so a worker adopts its containers.
 */
export function defaultWorkerName(listening: { host: string; port: number } | null | undefined): string {
  if (!listening) return `${hostname()}:local`;
  if (['', '0.0.0.0', '::', '[::]'].includes(listening.host)) return `${hostname()}:${listening.port}`;
  return listening.host.includes(':') && !listening.host.startsWith('[') ? `[${listening.host}]:${listening.port}` : `${listening.host}:${listening.port}`;
}

export function taskPolicy(settings: Settings): TaskPolicy {
  return {
    restartLimit: settings.restartLimit,
    restartDelayMs: settings.restartDelayMs,
    restartDelayMaxMs: settings.restartDelayMaxMs,
    healthFailures: settings.healthFailures,
  };
}

/** How long, and how many, finished tasks are kept (docs/architecture.md §7, "Retention"). */
export const retention = (settings: Settings): Retention => ({ ms: settings.retentionMs, max: settings.retentionMax });

/** Heartbeats must come well inside the TTL: three per TTL, at most every 5 s. */
export const heartbeatInterval = (settings: Settings) => Math.min(5000, Math.floor(settings.heartbeatTtlMs / 3));

export function dockerRuntime(settings: Settings, worker: string, cluster: ClusterIdentity, dockerHost?: string): DockerRuntime {
  return new DockerRuntime({
    worker,
    cluster,
    host: dockerHost,
    stopTimeoutSeconds: Math.ceil(settings.stopTimeoutMs / 1000),
    callTimeoutMs: settings.dockerTimeoutMs,
    publishHost: settings.publishHost,
    logLineMax: settings.logLineMax,
    volumeRoots: volumeRoots(settings),
  });
}

/** The host paths tasks may bind (CUBE_VOLUME_ROOT), as the runtime and the stats say them: no trailing "/". */
export const volumeRoots = (settings: Settings): string[] => listOf(settings.volumeRoot).map((root) => (root.length > 1 ? root.replace(/\/$/, '') : root));

/** The runtime CUBE_RUNTIME names: Docker, or the fake one (src/runtime/fake.ts) that runs nothing. */
export function runtimeFromSettings(settings: Settings, worker: string, cluster: ClusterIdentity, dockerHost?: string): ContainerRuntime {
  return settings.runtime === 'fake' ? new FakeRuntime() : dockerRuntime(settings, worker, cluster, dockerHost);
}

/**
 * Says at start which other workers' records in the data dir left tasks
 * running with no process to watch them (src/store/former-workers.ts): a
 * worker started again under another name would leave them unseen.
 */
export function reportFormerWorkers(settings: Settings, names: string[], log: Log): void {
  if (settings.store === 'memory') return;
  for (const former of formerWorkers(settings.dataDir)) if (!names.includes(former.name)) log(formerWorkerMessage(former));
}

/** The worker's store and the writes made to it: its file is locked for this process alone. */
export function openWorkerWrites(settings: Settings, name: string, log: Log, batch?: IntentBatch): WorkerWrites {
  if (settings.store === 'memory') return new WorkerWrites(new MemoryTaskStore(), `worker ${name} store (memory)`, log, batch);
  const file = join(settings.dataDir, `worker-${name.replace(/[^a-zA-Z0-9_.-]/g, '_')}.db`);
  return new WorkerWrites(new SqliteTaskStore(file, log, settings.recordMax), `worker ${name} store ${file}`, log, batch);
}

export function workerLogicOptions(settings: Settings, log: Log, writes: (worker: string) => WorkerWrites): WorkerLogicOptions {
  return {
    health: { intervalMs: settings.healthIntervalMs, timeoutMs: settings.healthTimeoutMs },
    reconcileIntervalMs: settings.reconcileIntervalMs,
    statsIntervalMs: heartbeatInterval(settings),
    sampleStats: withVolumeRoots(
      statsSampler(settings.store === 'memory' ? '/' : settings.dataDir, {
        memory: settings.memory,
        cpus: settings.cpus,
        disk: settings.disk,
        labels: settings.labels,
      }),
      volumeRoots(settings),
    ),
    writes,
    log,
  };
}
