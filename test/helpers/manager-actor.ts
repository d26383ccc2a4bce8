// A manager actor for tests of what lies on top of it (its service, its
// writes, its retention): the real machine, one remote worker (`w1` unless
// named) whose commands are collected and for which the test speaks (`say`),
// no clock and no reconcile, and the worker's stats already in so that tasks
// are placed at once.
import { createActor, fromCallback, type AnyActorLogic, type AnyEventObject } from 'xstate';
import { managerMachine } from '../../machines/manager.js';
import type { Restore } from '../../machines/manager/ledger.js';
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
  /** Several workers instead, each with a proxy that collects its commands. */
  workers?: string[];
  /** The worker's proxy, instead of the one that collects commands into `received` and speaks with `say`. */
  proxy?: AnyActorLogic;
  heartbeatTtlMs?: number;
  startedAt?: string;
  retention?: Retention;
  /** When the worker's first stats come in (default now); false: never. */
  statsAt?: string | false;
  /** What the manager starts from, as a store would give it. */
  restore?: Restore;
}

export function startManagerActor(options: ManagerActorOptions = {}) {
  const workers = options.workers ?? [options.worker ?? 'w1'];
  const received: ToWorker[] = [];
  /** Commands by the worker they went to. */
  const to = new Map<string, ToWorker[]>(workers.map((w) => [w, []]));
  const speakers = new Map<string, (message: FromWorker) => void>();
  const proxy =
    options.proxy ??
    fromCallback<ToWorker, { name: string; address: string }>(({ sendBack, receive, input }) => {
      speakers.set(input.name, (message) => sendBack(message));
      receive((message) => {
        received.push(message);
        to.get(input.name)!.push(message);
      });
    });
  const logic = managerMachine.provide({
    ...(options.writes ? { actions: managerWriteActions(options.writes) } : {}),
    actors: { remoteWorker: proxy as never, clock: fromCallback<AnyEventObject, { heartbeatTtlMs: number }>(() => undefined) },
    delays: { reconcileInterval: 1e9 },
  });
  const actor = createActor(logic, {
    input: {
      workers: workers.map((name) => ({ name, address: `${name}:5555` })),
      placement: placementPolicy('roundrobin'),
      heartbeatTtlMs: options.heartbeatTtlMs ?? 1e9,
      startedAt: options.startedAt ?? new Date().toISOString(),
      incarnation: 'i0',
      ...(options.retention ? { retention: options.retention } : {}),
      ...(options.restore ? { restore: options.restore } : {}),
    },
  });
  actor.start();
  if (options.statsAt !== false) {
    for (const worker of workers) actor.send({ type: 'worker.stats', worker, stats: workerStats(worker), at: options.statsAt ?? new Date().toISOString() });
  }
  /** Speaks for a worker: the message goes to the manager from that worker's proxy. */
  const say = (message: FromWorker) => speakers.get('worker' in message ? message.worker : workers[0]!)?.(message);
  return { actor, received, to, say };
}
