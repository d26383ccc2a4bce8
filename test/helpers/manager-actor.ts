// A manager actor for tests of what lies on top of it (its service, its
// writes, its retention): the real machine, one remote worker (`w1` unless
// named) whose commands are collected and for which the test speaks (`say`),
// no clock and no reconcile, and the worker's stats already in so that tasks
// are placed at once.
import { createActor, fromCallback, type AnyActorLogic, type AnyEventObject } from 'xstate';
import { managerMachine } from '../../machines/manager.js';
import { managerWriteActions, placementPolicy } from '../../src/manager/run/logic.js';
import type { ManagerWriter } from '../../src/store/manager-writes.js';
import type { FromWorker, ToWorker } from '../../src/vocabulary/protocol.js';
import type { Retention } from '../../src/vocabulary/retention.js';
import { workerStats } from './stats.js';

export interface ManagerActorOptions {
  /** Where the manager writes; without it, the machine's own write actions (which write nothing). */
  writes?: ManagerWriter;
  /** The one worker's name (default w1). */
  worker?: string;
  /** The worker's proxy, instead of the one that collects commands into `received` and speaks with `say`. */
  proxy?: AnyActorLogic;
  heartbeatTtlMs?: number;
  startedAt?: string;
  retention?: Retention;
  /** When the worker's first stats come in (default now); false: never. */
  statsAt?: string | false;
}

export function startManagerActor(options: ManagerActorOptions = {}) {
  const worker = options.worker ?? 'w1';
  const received: ToWorker[] = [];
  let say: (message: FromWorker) => void = () => undefined;
  const proxy =
    options.proxy ??
    fromCallback<ToWorker, { name: string; address: string }>(({ sendBack, receive }) => {
      say = (message) => sendBack(message);
      receive((message) => void received.push(message));
    });
  const logic = managerMachine.provide({
    ...(options.writes ? { actions: managerWriteActions(options.writes) } : {}),
    actors: { remoteWorker: proxy as never, clock: fromCallback<AnyEventObject, { heartbeatTtlMs: number }>(() => undefined) },
    delays: { reconcileInterval: 1e9 },
  });
  const actor = createActor(logic, {
    input: {
      workers: [{ name: worker, address: `${worker}:5555` }],
      placement: placementPolicy('roundrobin'),
      heartbeatTtlMs: options.heartbeatTtlMs ?? 1e9,
      startedAt: options.startedAt ?? new Date().toISOString(),
      incarnation: 'i0',
      ...(options.retention ? { retention: options.retention } : {}),
    },
  });
  actor.start();
  if (options.statsAt !== false) actor.send({ type: 'worker.stats', worker, stats: workerStats(worker), at: options.statsAt ?? new Date().toISOString() });
  return { actor, received, say: (message: FromWorker) => say(message) };
}
