// What users ask of the manager (docs/spec.md §4): run a task (POST), stop it
// (DELETE). A command is checked, its intent is written (`fx.persist`), and
// only once the store says it is written (`intent.persisted`) is it carried
// out: nothing is answered 2xx, or done, that a restart could forget.
// `submit` and `stop` return the reason a command is refused, or undefined.
import { TaskState, type Task } from '../../src/vocabulary/task.js';
import { definitionChanges, withDefinition } from '../definition.js';
import { named, nameTaken } from '../names.js';
import { newPlacementId } from '../../src/vocabulary/placement.js';
import { refusalReason } from '../task.js';
import { complete, evict, forget, note, place, requeue, setRecord, type Ledger, type Effects, type Intent, type PlacementPolicy } from './ledger.js';
import { placeQueued } from './placement.js';

const usable = (ledger: Ledger, worker: string) => {
  const state = ledger.workers.get(worker)?.state;
  return state === 'up' || state === 'suspect';
};

/** Holds a command until its intent is written: the record it makes is in the ledger, but not yet reported or acted on. */
function hold(ledger: Ledger, policy: PlacementPolicy, intent: Intent, next: Task, stopRequested: boolean, fx: Effects): void {
  ledger.intents.set(next.ID, intent);
  place(ledger, policy, intent.previous, next);
  fx.persist(next, stopRequested);
}

export function submit(ledger: Ledger, policy: PlacementPolicy, given: Task, at: string, requestId: string | undefined, fx: Effects): string | undefined {
  if (ledger.done.has(given.ID)) return refusalReason({ ID: given.ID, StateName: 'completed' }, 'restart');
  const record = ledger.tasks.get(given.ID);
  const incoming = named(ledger.names, record, given);
  if (!record) {
    const taken = nameTaken(ledger.names, ledger.tasks, incoming);
    if (taken) return taken;
    const received: Task = { ...incoming, State: TaskState.Pending, StateName: 'pending', SubmitTime: at, Worker: '', Reason: '', Placement: '' };
    hold(
      ledger,
      policy,
      { kind: 'submit', previous: undefined, at, requestId },
      note(received, at, 'Received', `received by the manager: ${incoming.Image}`),
      false,
      fx,
    );
    return undefined;
  }
  if (ledger.stopRequested.has(record.ID)) return `task ${record.ID} is being stopped, and a stopped task is final; POST it with a new ID to run it again`;
  const changed = definitionChanges(record, incoming);
  if (record.Service !== '' && changed.length > 0) {
    return `task ${record.ID} is a copy of service ${record.Service}; change the service instead (PUT /services/${record.Service}), and it rolls the change out`;
  }
  if (changed.includes('Name')) {
    const taken = nameTaken(ledger.names, ledger.tasks, incoming);
    if (taken) return taken;
  }
  const onItsWay = record.StateName === 'pending' || record.StateName === 'scheduled';
  if (changed.length === 0 && onItsWay) return undefined; // a repeated POST of a task on its way changes nothing
  if (record.StateName === 'pending') {
    // Still waiting for a worker: it waits with its new definition.
    // Its last placement, given up, is void: a late report of it is a stale copy of the old definition.
    const updated = note(
      { ...withDefinition(record, incoming), Placement: '' },
      at,
      'Updated',
      `new definition (${changed.join(', ')} changed) before it was placed`,
    );
    hold(ledger, policy, { kind: 'update', previous: record, at, requestId }, updated, false, fx);
    return undefined;
  }
  // A restart (docs/spec.md §1) or an update: a new placement of the task, on its worker when that one answers.
  const placement = newPlacementId(ledger.incarnation, ++ledger.seq);
  const next =
    changed.length > 0
      ? note(
          withDefinition({ ...record, Placement: placement, RestartCount: 0 }, incoming),
          at,
          'Updated',
          `new definition (${changed.join(', ')} changed): placement ${placement}`,
        )
      : note({ ...record, Placement: placement, RestartCount: 0 }, at, 'Restart Requested', `restart requested by user: placement ${placement}`);
  hold(ledger, policy, { kind: changed.length > 0 ? 'update' : 'restart', previous: record, at, requestId }, next, false, fx);
  return undefined;
}

/** A stop of a task; `why`, when Cube itself stops it (a service's copy), goes in its history. */
export function stop(
  ledger: Ledger,
  policy: PlacementPolicy,
  id: string,
  at: string,
  requestId: string | undefined,
  fx: Effects,
  why?: string,
): string | undefined {
  if (ledger.done.has(id)) return refusalReason({ ID: id, StateName: 'completed' }, 'stop');
  const record = ledger.tasks.get(id);
  if (!record) return `no task ${id}`;
  if (ledger.stopRequested.has(id)) return undefined; // asked already: its worker has been told
  if (ledger.intents.has(id)) return `task ${id} has another command being written; ask again once it is`;
  hold(ledger, policy, { kind: 'stop', previous: record, at, requestId }, why ? note(record, at, 'Stop Requested', why) : record, true, fx);
  return undefined;
}

/**
 * Whether a changed definition asks the same of its worker (resources and
 * constraints): only then may it stay where it is; otherwise it is placed
 * again, through the filters, like a new task.
 */
const sameAsks = (before: Task | undefined, after: Task): boolean =>
  before !== undefined &&
  before.Cpu === after.Cpu &&
  before.Memory === after.Memory &&
  before.Disk === after.Disk &&
  before.Constraints.join('\n') === after.Constraints.join('\n');

/** The store wrote the intent: carry the command out. */
export function carryOut(ledger: Ledger, policy: PlacementPolicy, id: string, fx: Effects): void {
  const intent = ledger.intents.get(id);
  const record = ledger.tasks.get(id);
  if (!intent || !record) return;
  ledger.intents.delete(id);
  const { at } = intent;
  switch (intent.kind) {
    case 'submit': {
      // The record is stored already; it is reported once placed, or waiting with the reason.
      fx.note({ Time: at, Type: 'Received', Message: `task ${record.Name} (${record.Image})`, Task: id });
      ledger.queue.add(id);
      // Placed at once, or waiting with the reason the placement gives.
      placeQueued(ledger, policy, at, fx);
      return;
    }
    case 'update':
    case 'restart': {
      fx.note({
        Time: at,
        Type: intent.kind === 'update' ? 'Update Requested' : 'Restart Requested',
        Message: `task ${record.Name}: placement ${record.Placement}`,
        Task: id,
        Worker: record.Worker,
      });
      if (record.State === TaskState.Pending) {
        setRecord(ledger, policy, record, fx); // waits in the queue with its new definition
      } else if (record.Worker && usable(ledger, record.Worker) && sameAsks(intent.previous, record)) {
        const sent = setRecord(ledger, policy, record, fx);
        fx.send(record.Worker, { type: 'task.run', task: sent, at });
      } else if (record.Worker && usable(ledger, record.Worker)) {
        // It asks something else of its worker: placed again through the filters, as drain moves a task, its copy stopped.
        const copy = { worker: record.Worker, placement: intent.previous!.Placement };
        evict(ledger, policy, record, copy, at, 'update requested by user, asking other resources or constraints; placing it again', fx);
        placeQueued(ledger, policy, at, fx);
      } else {
        requeue(ledger, policy, record, at, `${intent.kind === 'update' ? 'update' : 'restart'} requested by user`, fx);
        placeQueued(ledger, policy, at, fx);
      }
      return;
    }
    case 'stop': {
      fx.note({ Time: at, Type: 'Stop Requested', Message: `task ${record.Name}`, Task: id, Worker: record.Worker });
      if (ledger.queue.has(id) || record.Worker === '') {
        complete(ledger, policy, record, at, 'Cancelled', 'stopped by user before it was placed', fx);
        return;
      }
      ledger.stopRequested.add(id);
      setRecord(ledger, policy, record, fx);
      fx.send(record.Worker, { type: 'task.stop', id, placement: record.Placement, at });
    }
  }
}

/** The store could not write the intent: nothing was done; the record is as it was, and the caller hears why. */
export function dropIntent(ledger: Ledger, policy: PlacementPolicy, id: string, problem: string, fx: Effects): void {
  const intent = ledger.intents.get(id);
  if (!intent) return;
  ledger.intents.delete(id);
  const current = ledger.tasks.get(id);
  if (intent.previous) place(ledger, policy, current, intent.previous);
  else if (current) forget(ledger, policy, current);
  const what = intent.kind === 'submit' ? 'the new task' : intent.kind;
  const reason = `the manager could not store ${what} of task ${id} (${problem}); nothing was done. Try again once the store takes writes again`;
  fx.refused(id, reason, 503, intent.requestId);
  // A service's copy: its machine asked for the command and waits for it, and hears that it was not done (a new copy
  // that is not there, a stop not made), or it would wait for ever: a deployment that never moves on.
  const copy = intent.previous ?? current;
  if (!copy || copy.Service === '') return;
  if (intent.previous)
    fx.toService(copy.Service, {
      type: 'copy.changed',
      report: { task: intent.previous, stopping: ledger.stopRequested.has(id) },
      at: ledger.now,
      refused: reason,
    });
  else fx.toService(copy.Service, { type: 'copy.refused', id, reason, at: ledger.now });
}
