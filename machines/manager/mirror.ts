// What workers report (docs/architecture.md §2): the worker that runs a task owns its
// truth, so the manager's record mirrors that worker's. A report from any
// other worker is a duplicate (the task was placed again while that worker was
// lost) and is stopped there. A full list from a worker is also compared the
// other way: tasks it should have but does not are sent again.
import type { FromWorker } from '../../src/vocabulary/protocol.js';
import { TaskState, type StateName, type Task, type TaskHistoryEntry } from '../../src/vocabulary/task.js';
import { HISTORY_LIMIT } from '../task.js';
import { complete, note, setRecord, type Book, type Effects, type PlacementPolicy } from './book.js';

const finished: ReadonlySet<StateName> = new Set(['completed', 'stopping']);
const onItsWay: ReadonlySet<StateName> = new Set(['scheduled', 'running', 'restarting', 'stopping']);

export function mirror(book: Book, policy: PlacementPolicy, worker: string, task: Task, at: string, fx: Effects): void {
  const record = book.tasks.get(task.ID);
  if (!record) {
    // A task the manager has no record of (its state was lost): it runs, so it is in the system.
    if (task.StateName === 'completed') return;
    setRecord(book, policy, note({ ...task, Worker: worker }, at, 'Adopted', `reported by worker ${worker}; the manager had no record of it`), fx);
    return;
  }
  if (record.Worker !== worker) {
    if (record.State === TaskState.Pending && book.queue.has(task.ID)) {
      // A start that looked lost did arrive: keep it there rather than start another.
      book.queue.delete(task.ID);
    } else {
      if (!finished.has(task.StateName)) {
        fx.send(worker, { type: 'task.stop', id: task.ID, at });
        fx.note({ Time: at, Type: 'Duplicate Stopped', Message: `task ${task.Name} runs on ${record.Worker || 'no worker'} now`, Task: task.ID, Worker: worker });
      }
      return;
    }
  }
  if (task.StateName === 'pending') return;
  setRecord(book, policy, { ...task, Worker: worker, SubmitTime: record.SubmitTime, Events: mergeHistory(record.Events, task.Events) }, fx);
}

const same = (a: TaskHistoryEntry, b: TaskHistoryEntry) => a.Time === b.Time && a.Type === b.Type && a.Message === b.Message;

/**
 * The worker's history of a task, after what the manager saw before the
 * worker had it (Received, Placed): a remote worker starts its own history.
 */
export function mergeHistory(manager: TaskHistoryEntry[], worker: TaskHistoryEntry[]): TaskHistoryEntry[] {
  const first = worker[0]?.Time;
  const before = manager.filter((e) => (first === undefined || e.Time <= first) && !worker.some((w) => same(w, e)));
  return before.length === 0 ? worker : [...before, ...worker].slice(-HISTORY_LIMIT);
}

export function sync(book: Book, policy: PlacementPolicy, message: Extract<FromWorker, { type: 'worker.tasks' }>, fx: Effects): void {
  const { worker, tasks, at } = message;
  const reported = new Map<string, Task>();
  for (const task of tasks) {
    reported.set(task.ID, task);
    mirror(book, policy, worker, task, at, fx);
  }
  for (const record of book.tasks.values()) {
    if (record.Worker !== worker) continue;
    const there = reported.get(record.ID);
    const stopping = book.stopRequested.has(record.ID);
    if (!there && onItsWay.has(record.StateName)) {
      if (stopping) {
        complete(book, policy, record, at, 'Killed', `worker ${worker} no longer has it`, fx);
      } else {
        fx.note({ Time: at, Type: 'Resent', Message: `worker ${worker} did not have task ${record.Name}`, Task: record.ID, Worker: worker });
        fx.send(worker, { type: 'task.run', task: record, at, ensure: true });
      }
    } else if (there && stopping && !finished.has(there.StateName)) {
      fx.send(worker, { type: 'task.stop', id: record.ID, at });
    }
  }
}

/** A worker refused a command: a stop of a task it does not have means it is stopped. */
export function refused(book: Book, policy: PlacementPolicy, message: Extract<FromWorker, { type: 'task.refused' }>, at: string, fx: Effects): void {
  fx.note({ Time: at, Type: 'Refused', Message: message.reason, Task: message.id, Worker: message.worker });
  const record = book.tasks.get(message.id);
  if (record && message.command === 'stop' && book.stopRequested.has(message.id) && record.Worker === message.worker) {
    complete(book, policy, record, at, 'Killed', `worker ${message.worker}: ${message.reason}`, fx);
  }
}
