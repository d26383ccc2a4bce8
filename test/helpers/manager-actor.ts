// A manager actor for tests of what lies on top of it (its service, its
// writes): the real machine with `writes` as its store, one remote worker
// `w1` whose commands are only collected, no clock and no reconcile, and the
// worker's stats already in so that tasks are placed at once.
import { createActor, fromCallback, type AnyEventObject } from 'xstate';
import { managerMachine } from '../../machines/manager.js';
import { managerWriteActions, placementPolicy } from '../../src/manager/logic.js';
import type { ManagerWriter } from '../../src/manager/writes.js';
import type { ToWorker } from '../../src/vocabulary/protocol.js';
import { workerStats } from './stats.js';

export function startManagerActor(writes: ManagerWriter) {
  const received: ToWorker[] = [];
  const logic = managerMachine.provide({
    actions: managerWriteActions(writes),
    actors: {
      remoteWorker: fromCallback<ToWorker, { name: string; address: string }>(({ receive }) => receive((m) => void received.push(m))),
      clock: fromCallback<AnyEventObject, { heartbeatTtlMs: number }>(() => undefined),
    },
    delays: { reconcileInterval: 1e9 },
  });
  const actor = createActor(logic, {
    input: {
      workers: [{ name: 'w1', address: 'w1:5555' }],
      placement: placementPolicy('roundrobin'),
      heartbeatTtlMs: 1e9,
      startedAt: new Date().toISOString(),
      incarnation: 'i0',
    },
  });
  actor.start();
  actor.send({ type: 'worker.stats', worker: 'w1', stats: workerStats('w1'), at: new Date().toISOString() });
  return { actor, received };
}
