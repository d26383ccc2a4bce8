// The manager at work: its actor (with the effects of src/ supplied), the
// service the HTTP edge talks to, and the registry of workers that join. One
// runs for the whole life of a manager on a local store; with etcd, one runs
// for each term in which this manager leads (src/manager/wiring/ha.ts).
import { nanoid } from 'nanoid';
import { createActor } from 'xstate';
import type { ManagerInput, WorkerSpec } from '../../../machines/manager.js';
import type { Settings } from '../../config/settings.js';
import { startInspection } from '../../inspect/inspection.js';
import type { Log } from '../../log.js';
import type { IntentBatch } from '../../store/intent-batch.js';
import { retention } from '../../worker/from-settings.js';
import type { Runtimes } from '../../worker/logic.js';
import type { WorkerWrites } from '../../store/worker-writes.js';
import { managerLogic, placementPolicy } from './logic.js';
import { Registry } from './registry.js';
import { workerScheme } from '../views/node-view.js';
import { ManagerService } from './service.js';
import { Services } from './services.js';
import type { ManagerWriter } from '../../store/manager-writes.js';

export interface ManagerRunOptions {
  settings: Settings;
  log: Log;
  writes: ManagerWriter;
  workers: WorkerSpec[];
  restore: ManagerInput['restore'];
  /** Group commit of users' commands' intents (a local store; src/store/intent-batch.ts). */
  intents?: IntentBatch;
  /** For workers in this process: their runtimes and stores. */
  runtimes?: Runtimes;
  workerWrites?: (worker: string) => WorkerWrites;
  /** Whether the store expires joined workers' registrations itself (etcd). */
  storeExpires?: boolean;
  /** The live view's address, which the inspector's page links. */
  liveView?: string;
  /** The cluster's identity: named on every call to a worker, and taken by the workers (src/store/cluster-id.ts). */
  cluster: string;
}

export interface ManagerRun {
  service: ManagerService;
  /** Its services (docs/spec.md §9). */
  services: Services;
  registry: Registry;
  /** Where to watch its actors, when CUBE_INSPECT is on. */
  inspectUrl: string | undefined;
  /** Stops it: commands still waiting for their write are answered 503 with `reason`. */
  stop(reason: string): void;
}

export function runManager(options: ManagerRunOptions): ManagerRun {
  const { settings, log, writes } = options;
  const logic = managerLogic(options.runtimes ?? (() => undefined as never), settings, log, writes, options.workerWrites ?? (() => undefined as never), {
    cluster: options.cluster,
  });
  const inspection = startInspection(settings, log, options.liveView);
  const actor = createActor(logic, {
    input: {
      workers: options.workers,
      placement: placementPolicy(settings.scheduler),
      heartbeatTtlMs: settings.heartbeatTtlMs,
      startedAt: new Date().toISOString(),
      incarnation: nanoid(6),
      restore: options.restore,
      retention: retention(settings),
    },
    id: 'manager',
    systemId: 'manager',
    ...(inspection ? { inspect: inspection.inspect } : {}),
  });
  const scheme = workerScheme(settings.tlsDir);
  const service = new ManagerService(actor, writes, log, options.intents, scheme);
  // This start's placements are known as its own after a restart, even once their tasks are pruned.
  const unwritten = (error: unknown) =>
    log(`the manager store could not keep this start's identity (${(error as Error).message}); stale copies of its tasks may be adopted after a restart`);
  try {
    writes.writeMeta()?.catch(unwritten);
  } catch (error) {
    unwritten(error);
  }
  actor.start();
  const services = new Services(actor, writes, (worker) => actor.getSnapshot().context.ledger.workers.get(worker)?.address);
  const registry = new Registry(actor, writes, {
    joinTtlMs: settings.joinTtlMs,
    storeExpires: options.storeExpires ?? false,
    scheme,
    cluster: options.cluster,
  });
  return {
    service,
    services,
    registry,
    inspectUrl: inspection?.url,
    stop: (reason) => {
      service.close(reason);
      registry.close();
      actor.stop();
      inspection?.stop();
    },
  };
}
