// Workers that join and leave while the manager runs (docs/ha.md). A join adds
// a worker to the ledger (the machine spawns its proxy, and it takes tasks at its
// first heartbeat); a drain takes a worker out of placement and moves its tasks
// to the others, as `kubectl drain` evicts and Nomad's drain migrates (and
// `undrain` makes it take tasks again, as `kubectl uncordon`); a removal forgets a worker, and what the ledger still placed there is placed
// again. The edge stores each change before it sends the event here, so a new
// leader starts from the same membership.
import { TaskState, type StateName } from '../../src/vocabulary/task.js';
import { complete, evict, newWorkerEntry, note, requeue, setRecord, setWorkerState, type Ledger, type Effects, type PlacementPolicy } from './ledger.js';
import { placeQueued } from './placement.js';
import type { LabelEdits } from '../../src/vocabulary/labels.js';

const onWorker: ReadonlySet<StateName> = new Set(['scheduled', 'running', 'restarting', 'stopping']);

/**
 * Why a worker cannot join under this name, or undefined. A worker that joined
 * may come back at another address (a restart on another port, a new IP): it
 * is the same worker, as its containers carry its name. A worker of --workers
 * (or of the manager's process) keeps its address.
 */
export function joinRefusal(ledger: Ledger, name: string, address: string): string | undefined {
  const known = ledger.workers.get(name);
  if (!known || known.address === address || known.joined) return undefined;
  return `worker ${name} is named by --workers at ${known.address}; give this one another name (--name)`;
}

/**
 * Adds a worker that joined, or moves one that joined again from another
 * address: `new` and `moved` need a proxy spawned (a moved one's old proxy is
 * stopped first); `same` is a renewal.
 */
export function join(ledger: Ledger, policy: PlacementPolicy, name: string, address: string, at: string, fx: Effects): 'new' | 'moved' | 'same' {
  const known = ledger.workers.get(name);
  if (known?.address === address) return 'same';
  if (known) {
    fx.note({ Time: at, Type: 'Worker Moved', Message: `worker ${name} joined again from ${address} (it was at ${known.address})`, Worker: name });
    known.address = address;
    setWorkerState(known, 'unknown', at, `joined again from ${address}; waiting for its first heartbeat there`, fx);
    return 'moved';
  }
  const worker = newWorkerEntry({ name, address, joined: true }, at, policy);
  ledger.workers.set(name, worker);
  ledger.heard.set(name, 0); // nothing of it applied yet: its first sync asks for everything
  fx.note({ Time: at, Type: 'Worker Joined', Message: `worker ${name} joined from ${address}`, Worker: name });
  fx.workerChanged(worker);
  return 'new';
}

/** Takes a worker out of placement and moves its tasks: each is placed again elsewhere and its copy there is stopped. */
export function drain(ledger: Ledger, policy: PlacementPolicy, name: string, at: string, fx: Effects): void {
  const worker = ledger.workers.get(name);
  if (!worker) return;
  if (!worker.draining) {
    worker.draining = true;
    fx.note({ Time: at, Type: 'Worker Draining', Message: `worker ${name} takes no new tasks; its tasks are moved to other workers`, Worker: name });
    fx.workerChanged(worker);
  }
  for (const task of [...ledger.tasks.values()]) {
    if (task.Worker !== name || !onWorker.has(task.StateName) || ledger.stopRequested.has(task.ID) || ledger.intents.has(task.ID)) continue;
    evict(
      ledger,
      policy,
      task,
      { worker: name, placement: task.Placement },
      at,
      `worker ${name} is draining; placing the task on another worker and stopping its copy there`,
      fx,
    );
  }
  placeQueued(ledger, policy, at, fx);
}

/** Ends a drain (`kubectl uncordon`, `nomad node drain -disable`): the worker takes tasks again; what moved away stays where it is. */
export function undrain(ledger: Ledger, policy: PlacementPolicy, name: string, at: string, fx: Effects): void {
  const worker = ledger.workers.get(name);
  if (!worker || !worker.draining) return;
  worker.draining = false;
  fx.note({ Time: at, Type: 'Worker Eligible', Message: `worker ${name} takes tasks again`, Worker: name });
  fx.workerChanged(worker);
  placeQueued(ledger, policy, at, fx);
}

/** A volume was removed from its worker (DELETE /nodes/{name}/volumes/{volume}): the tasks that mount it are tied to that worker no more. */
export function volumeRemoved(ledger: Ledger, policy: PlacementPolicy, worker: string, volume: string, at: string, fx: Effects): void {
  if (ledger.volumes.get(volume) !== worker) return;
  ledger.volumes.delete(volume);
  fx.note({
    Time: at,
    Type: 'Volume Removed',
    Message: `volume ${volume} was removed from worker ${worker}; a task that mounts it may start on any worker`,
    Worker: worker,
  });
  placeQueued(ledger, policy, at, fx);
}

/** The operator's label changes, laid over the worker's (a value sets, null removes): queued tasks that now fit are placed. */
export function relabel(ledger: Ledger, policy: PlacementPolicy, name: string, edits: LabelEdits, at: string, fx: Effects): void {
  const worker = ledger.workers.get(name);
  if (!worker) return;
  worker.labelEdits = { ...worker.labelEdits, ...edits };
  const said = Object.entries(edits).map(([key, value]) => (value === null ? `${key} removed` : `${key}=${value}`));
  fx.note({ Time: at, Type: 'Worker Labelled', Message: `worker ${name}: ${said.join(', ')}`, Worker: name });
  fx.workerChanged(worker);
  placeQueued(ledger, policy, at, fx);
}

/** Why a worker cannot be forgotten now, or undefined: only a drained or a dead one can. */
export function removalRefusal(ledger: Ledger, name: string): string | undefined {
  const worker = ledger.workers.get(name);
  if (!worker) return `no worker ${name}; cube node (GET /nodes) lists the workers`;
  if (!worker.joined)
    return `worker ${name} is named by --workers of the leading manager; take it out of --workers (of every manager) and restart them to forget it`;
  if (worker.draining || worker.state === 'down') return undefined;
  return `worker ${name} is ${worker.state} and not drained; drain it first (cube node drain ${name}), or stop it and wait until it is down`;
}

/** Forgets a worker: what the ledger still placed there is placed again, or completed when a stop was asked. */
export function remove(ledger: Ledger, policy: PlacementPolicy, name: string, at: string, fx: Effects): void {
  if (!ledger.workers.delete(name)) return;
  ledger.heard.delete(name);
  // Its volumes go with it: a task that mounts one may start elsewhere, with an empty one.
  for (const [volume, worker] of ledger.volumes) if (worker === name) ledger.volumes.delete(volume);
  fx.workerRemoved(name);
  fx.note({ Time: at, Type: 'Worker Removed', Message: `worker ${name} is forgotten`, Worker: name });
  for (const task of [...ledger.tasks.values()]) {
    if (task.Worker !== name) continue;
    if (task.State === TaskState.Completed) {
      // A stop owed to it (it was lost with the task) can never be delivered now.
      if (ledger.stopRequested.delete(task.ID))
        setRecord(ledger, policy, note(task, at, 'Stop Dropped', `worker ${name} was removed before it confirmed the stop`), fx);
      continue;
    }
    if (!onWorker.has(task.StateName)) continue;
    if (ledger.stopRequested.has(task.ID)) complete(ledger, policy, task, at, 'Killed', `stopped by user; worker ${name} was removed with it`, fx);
    else requeue(ledger, policy, task, at, `worker ${name} was removed; placing the task again`, fx);
  }
  placeQueued(ledger, policy, at, fx);
}
