// Supplies what the manager machine names: the worker machine for workers in
// this process, the HTTP proxy for workers elsewhere, the clock, the reconcile
// interval, and the scheduler chosen by CUBE_SCHEDULER.
import type { PlacementPolicy } from '../../machines/manager/book.js';
import { managerMachine } from '../../machines/manager.js';
import type { Settings } from '../config/settings.js';
import type { Log } from '../log.js';
import { emptyHeld, holdTask, schedulerByName } from '../scheduler/index.js';
import { workerLogic, type Runtimes } from '../worker/logic.js';
import { workerLogicOptions } from '../worker/from-settings.js';
import { clockActor } from './clock.js';
import { remoteWorkerActor } from './remote-worker.js';
import { workerConnection } from '../tls/client.js';

export function placementPolicy(scheduler: string): PlacementPolicy {
  return { scheduler: schedulerByName(scheduler), hold: holdTask, empty: emptyHeld };
}

export function managerLogic(runtimes: Runtimes, settings: Settings, log: Log) {
  return managerMachine.provide({
    actors: {
      localWorker: workerLogic(runtimes, workerLogicOptions(settings, log)),
      remoteWorker: remoteWorkerActor({
        token: settings.token,
        idleMs: settings.heartbeatTtlMs,
        callTimeoutMs: 10_000,
        stopTimeoutMs: settings.stopTimeoutMs,
        log,
        ...workerConnection(settings.tlsDir),
      }),
      clock: clockActor,
    },
    delays: { reconcileInterval: settings.reconcileIntervalMs },
  });
}
