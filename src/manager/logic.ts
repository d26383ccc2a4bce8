// Supplies what the manager machine names: the worker machine for workers in
// this process, the HTTP proxy for workers elsewhere (Cube's or the book's,
// whichever the worker speaks), the clock, the reconcile interval, and the
// scheduler chosen by CUBE_SCHEDULER.
import type { AnyActorRef } from 'xstate';
import type { PlacementPolicy } from '../../machines/manager/book.js';
import { managerMachine } from '../../machines/manager.js';
import type { Settings } from '../config/settings.js';
import type { Log } from '../log.js';
import { emptyHeld, holdTask, schedulerByName } from '../scheduler/index.js';
import { workerLogic, type Runtimes } from '../worker/logic.js';
import { workerLogicOptions } from '../worker/from-settings.js';
import type { Task } from '../vocabulary/task.js';
import type { WorkerWrites } from '../worker/writes.js';
import { clockActor } from './clock.js';
import { bookWorkerActor } from './book-worker.js';
import type { ManagerWrites } from './writes.js';
import { remoteWorkerActor } from './remote-worker.js';
import { workerProxy } from './worker-proxy.js';
import { workerConnection } from '../tls/client.js';

export function placementPolicy(scheduler: string): PlacementPolicy {
  return { scheduler: schedulerByName(scheduler), hold: holdTask, empty: emptyHeld };
}

/** The manager machine's writes (`persistIntent`, `save`, `forgetRecords`), made to `writes`. */
export function managerWriteActions(writes: ManagerWrites) {
  return {
    persistIntent: ({ self }: { self: AnyActorRef }, params: { task: Task; stopRequested: boolean }) =>
      writes.intent(params.task, params.stopRequested, (problem) => self.send({ type: 'intent.persisted', id: params.task.ID, ok: problem === '', problem })),
    save: (_: unknown, params: { task: Task; stopRequested: boolean }) => writes.save(params.task, params.stopRequested),
    forgetRecords: (_: unknown, params: { ids: string[] }) => writes.forget(params.ids),
  };
}

export function managerLogic(runtimes: Runtimes, settings: Settings, log: Log, writes: ManagerWrites, workerWrites: (worker: string) => WorkerWrites) {
  const tls = workerConnection(settings.tlsDir);
  return managerMachine.provide({
    actions: managerWriteActions(writes),
    actors: {
      localWorker: workerLogic(runtimes, workerLogicOptions(settings, log, workerWrites)),
      remoteWorker: workerProxy({
        proxies: {
          cube: remoteWorkerActor({
            token: settings.token,
            idleMs: settings.heartbeatTtlMs,
            callTimeoutMs: 10_000,
            stopTimeoutMs: settings.stopTimeoutMs,
            log,
            ...tls,
          }),
          book: bookWorkerActor({ pollMs: settings.bookPollMs, callTimeoutMs: 10_000, log }),
        },
        detectTimeoutMs: 10_000,
        log,
        // With mutual TLS every worker speaks Cube's protocol (the book's has no TLS); its proxy says why one cannot be reached.
        ...(tls.scheme ? { detect: async () => 'cube' as const } : {}),
      }),
      clock: clockActor,
    },
    delays: { reconcileInterval: settings.reconcileIntervalMs },
  });
}
