// What users ask of the manager (docs/spec.md §4): run a task (POST), stop it
// (DELETE). Each returns the reason it is refused, or undefined when taken.
import { TaskState, type Task } from '../../src/vocabulary/task.js';
import { refusalReason } from '../task.js';
import { decideRun } from '../worker.js';
import { nameTaken } from '../names.js';
import { complete, note, requeue, setRecord, type Book, type Effects, type PlacementPolicy } from './book.js';
import { placeQueued, waitingReason } from './placement.js';

const usable = (book: Book, worker: string) => {
  const state = book.workers.get(worker)?.state;
  return state === 'up' || state === 'suspect';
};

export function submit(book: Book, policy: PlacementPolicy, incoming: Task, at: string, fx: Effects): string | undefined {
  const record = book.tasks.get(incoming.ID);
  if (!record) {
    const taken = nameTaken(book.names, book.tasks, incoming);
    if (taken) return taken;
    const received: Task = { ...incoming, State: TaskState.Pending, StateName: 'pending', SubmitTime: at, Worker: '', Reason: '' };
    book.tasks.set(incoming.ID, note(received, at, 'Received', `received by the manager: ${incoming.Image}`));
    book.queue.add(incoming.ID);
    fx.note({ Time: at, Type: 'Received', Message: `task ${incoming.Name} (${incoming.Image})`, Task: incoming.ID });
    placeQueued(book, policy, at, fx);
    // Not placed at once: no worker is up. Say so (placement reports a placed one).
    const now = book.tasks.get(incoming.ID)!;
    if (now.State === TaskState.Pending) setRecord(book, policy, { ...now, Reason: waitingReason(book) }, fx);
    return undefined;
  }
  const decision = decideRun(record);
  if (decision.action === 'refuse') return decision.reason;
  if (decision.action === 'none') return undefined;
  // A restart (docs/spec.md §1): by its worker when that one answers, else placed anew.
  fx.note({ Time: at, Type: 'Restart Requested', Message: `task ${record.Name}`, Task: record.ID, Worker: record.Worker });
  if (record.Worker && usable(book, record.Worker)) {
    fx.send(record.Worker, { type: 'task.run', task: record, at });
  } else {
    requeue(book, policy, record, at, 'restart requested by user', fx);
    placeQueued(book, policy, at, fx);
  }
  return undefined;
}

export function stop(book: Book, policy: PlacementPolicy, id: string, at: string, fx: Effects): string | undefined {
  const record = book.tasks.get(id);
  if (!record) return `no task ${id}`;
  if (record.State === TaskState.Completed) return refusalReason(record, 'stop');
  fx.note({ Time: at, Type: 'Stop Requested', Message: `task ${record.Name}`, Task: id, Worker: record.Worker });
  if (book.queue.has(id) || record.Worker === '') {
    complete(book, policy, record, at, 'Cancelled', 'stopped by user before it was placed', fx);
    return undefined;
  }
  book.stopRequested.add(id);
  fx.stopPending(record);
  fx.send(record.Worker, { type: 'task.stop', id, at });
  return undefined;
}
