// Supplies what the manager machine names: the worker machine for workers in
// this process, the HTTP proxy for workers elsewhere (Cube's or the book's,
// whichever the worker speaks), the clock, the reconcile interval, and the
// scheduler chosen by CUBE_SCHEDULER.
import type { ActorRefFrom, AnyActorRef, CallbackActorLogic } from 'xstate';
import type { PlacementPolicy } from '../../../machines/manager/ledger.js';
import { managerMachine } from '../../../machines/manager.js';
import type { Settings } from '../../config/settings.js';
import type { Log } from '../../log.js';
import { emptyHeld, holdTask, schedulerByName } from '../../scheduler/index.js';
import { workerLogic, type Runtimes } from '../../worker/logic.js';
import { workerLogicOptions } from '../../worker/from-settings.js';
import type { Task } from '../../vocabulary/task.js';
import type { WorkerWrites } from '../../store/worker-writes.js';
import { clockActor } from './clock.js';
import { bookWorkerActor } from '../proxies/book-worker.js';
import type { ManagerWriter } from '../../store/manager-writes.js';
import { remoteWorkerActor } from '../proxies/remote-worker.js';
import { workerProxy } from '../proxies/worker-proxy.js';
import { afterWrites } from '../proxies/write-barrier.js';
import type { ToWorker } from '../../vocabulary/protocol.js';
import { workerConnection } from '../../tls/client.js';
import { serviceChild } from '../../../machines/service.js';
import { serviceWriteActions } from './services.js';

export function placementPolicy(scheduler: string): PlacementPolicy {
  return { scheduler: schedulerByName(scheduler), hold: holdTask, empty: emptyHeld };
}

/**
 * The manager machine's writes (`persistIntent`, `save`, `forgetRecords`),
 * made to `writes`. The store answers `intent.persisted` when the intent is
 * stored: at once, at the end of a group commit (SQLite), or later (etcd).
 * When the intent failed, the ledger takes the command back and the store is
 * told what the ledger holds now, in case the failed write was applied after all.
 */
export function managerWriteActions(writes: ManagerWriter) {
  return {
    persistIntent: ({ self }: { self: AnyActorRef }, params: { task: Task; stopRequested: boolean }) => {
      const id = params.task.ID;
      const answer = (problem: string) => {
        if (self.getSnapshot().status !== 'active') return; // the manager stopped (it no longer leads) while the write was out
        self.send({ type: 'intent.persisted', id, ok: problem === '', problem });
        if (problem === '' || !writes.undo) return;
        const ledger = (self as ActorRefFrom<typeof managerMachine>).getSnapshot().context.ledger;
        // A Completed task's record is the store's own (the ledger keeps a DoneTask of it).
        const record = ledger.tasks.get(id) ?? (ledger.done.has(id) ? writes.read(id) : undefined);
        writes.undo(id, record, ledger.stopRequested.has(id));
      };
      writes.intent(params.task, params.stopRequested, answer);
    },
    save: (_: unknown, params: { task: Task; stopRequested: boolean }) => writes.save(params.task, params.stopRequested),
    forgetRecords: (_: unknown, params: { ids: string[] }) => writes.forget(params.ids),
  };
}

/** How the manager reaches its remote workers. */
export interface WorkerReach {
  /** The cluster's identity, named on every call to a remote worker. */
  cluster?: string | undefined;
  /**
   * The HTTP client of every proxy: the global fetch, or the TLS client's
   * under CUBE_TLS_DIR. The simulator gives a faulty in-memory one
   * (test/sim/transport.ts), so the proxies it runs are these.
   */
  transport?: typeof fetch;
}

export function managerLogic(
  runtimes: Runtimes,
  settings: Settings,
  log: Log,
  writes: ManagerWriter,
  workerWrites: (worker: string) => WorkerWrites,
  reach: WorkerReach = {},
) {
  const tls = workerConnection(settings.tlsDir);
  const transport = reach.transport ?? tls.fetch;
  // With a store that answers later, commands to workers wait for the writes before them (src/manager/proxies/write-barrier.ts).
  const settled = writes.settled?.bind(writes);
  const ordered = <I>(logic: CallbackActorLogic<ToWorker, I>) => (settled ? afterWrites(logic, settled) : logic);
  return managerMachine.provide({
    actions: managerWriteActions(writes),
    actors: {
      localWorker: workerLogic(runtimes, workerLogicOptions(settings, log, workerWrites)),
      remoteWorker: workerProxy({
        proxies: {
          cube: ordered(
            remoteWorkerActor({
              token: settings.token,
              idleMs: settings.heartbeatTtlMs,
              maxBytes: settings.eventMax,
              cluster: reach.cluster,
              callTimeoutMs: 10_000,
              stopTimeoutMs: settings.stopTimeoutMs,
              log,
              scheme: tls.scheme,
              transport,
            }),
          ),
          book: ordered(bookWorkerActor({ pollMs: settings.bookPollMs, callTimeoutMs: 10_000, maxBytes: settings.eventMax, log, transport })),
        },
        detectTimeoutMs: 10_000,
        log,
        transport,
        // With mutual TLS every worker speaks Cube's protocol (the book's has no TLS); its proxy says why one cannot be reached.
        ...(tls.scheme ? { detect: async () => 'cube' as const } : {}),
      }),
      clock: clockActor,
      service: serviceChild.provide({ actions: serviceWriteActions(writes, log) }),
    },
    delays: { reconcileInterval: settings.reconcileIntervalMs },
  });
}
