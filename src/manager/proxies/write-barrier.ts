// Commands reach a worker only after the records they carry are stored
// (docs/architecture.md §7, "Writes that answer later"). With a store that
// answers later (etcd), a placement is decided and sent in one step of the
// manager, and its write is still under way: a new leader that never saw it
// would place the task again, and two copies would run. So a command waits for
// every write made before it (`settled`), in the order the manager sent them,
// the way a Nomad client only sees allocations the servers committed.
import { fromCallback, type CallbackActorLogic } from 'xstate';
import type { ToWorker } from '../../vocabulary/protocol.js';

type Callback<I> = (params: { input: I; receive: (listener: (event: ToWorker) => void) => void } & Record<string, unknown>) => (() => void) | void;

/** The proxy `logic` (made with fromCallback), with each run and stop held until the writes before it are stored. */
export function afterWrites<I>(logic: CallbackActorLogic<ToWorker, I>, settled: () => Promise<void>): CallbackActorLogic<ToWorker, I> {
  const inner = logic.config as Callback<I> | undefined;
  if (typeof inner !== 'function') throw new TypeError('afterWrites wraps the logic of fromCallback only');
  return fromCallback<ToWorker, I>((params) => {
    let forward: (event: ToWorker) => void = () => undefined;
    let stopped = false;
    let order = Promise.resolve();
    const cleanup = inner({ ...(params as unknown as Record<string, unknown>), input: params.input, receive: (listener) => void (forward = listener) });
    params.receive((event) => {
      if (event.type === 'worker.sync') return forward(event); // a question, not a command: nothing to wait for
      const written = settled();
      order = order
        .then(() => written)
        .then(() => {
          if (!stopped) forward(event);
        });
    });
    return () => {
      stopped = true;
      cleanup?.();
    };
  });
}
