// What workers report (docs/architecture.md §2): the worker that runs the
// current placement of a task owns its truth, so the manager's record mirrors
// that worker's. Reports are fenced (docs/architecture.md §7, "Placements"):
// a report about another placement, from another worker, or about a placement
// the manager already closed is a stale copy, which is stopped and never
// applied; a report older than one already applied is dropped. A full list
// from a worker is also compared the other way: what it should have but does
// not is sent again.
import type { FromWorker } from '../../src/vocabulary/protocol.js';
import { TaskState, type StateName, type Task, type TaskHistoryEntry } from '../../src/vocabulary/task.js';
import { isFinished } from '../retention.js';
import { placementBase, placementIncarnation, samePlacement } from '../../src/vocabulary/placement.js';
import { HISTORY_LIMIT } from '../task.js';
import { complete, note, setRecord, tasksOn, type Ledger, type Effects, type PlacementPolicy } from './ledger.js';

type Report = Extract<FromWorker, { type: 'task.updated' }>;
/** What a judgement of a copy needs: the worker, and the task's ID, placement and state there (a report, or a listing's `held` entry). */
type Copy = { worker: string; task: Pick<Task, 'ID' | 'Placement' | 'StateName'> };

const finished: ReadonlySet<StateName> = new Set(['completed', 'stopping']);
const onItsWay: ReadonlySet<StateName> = new Set(['scheduled', 'running', 'restarting', 'stopping']);

/** A placement that was lost and placed again may still have started where it was sent: then it stays there. */
const arrivedAfterAll = (ledger: Ledger, record: Task, report: Pick<Task, 'Placement'>) =>
  record.State === TaskState.Pending && ledger.queue.has(record.ID) && report.Placement !== '' && samePlacement(record.Placement, report.Placement);

/**
 * Whether the task failed for good as `placement`, by its worker's word: the
 * last report applied was of that placement. A new placement (a restart asked
 * for) keeps the record Failed until its worker answers, and is no such one.
 */
const failedAs = (ledger: Ledger, record: Task, placement: string) =>
  record.StateName === 'failed' && placement !== '' && ledger.reported.get(record.ID)?.placement === placementBase(placement);

/** Whether this manager made the placement: one of its starts is the placement ID's first part. */
const placedHere = (ledger: Ledger, placement: string) => ledger.incarnations.has(placementIncarnation(placement));

/**
 * Whether a report is about a copy the manager no longer wants: the task runs
 * as another placement or on another worker, or the user stopped it and the
 * manager already closed it, or it failed for good and this copy of the same
 * placement would run it again (a duplicate run that reached a worker after it
 * pruned the task), or it was pruned (a placement this manager made of a task
 * it no longer has). A report with no placement (a worker that speaks the
 * book's protocol) is about whatever that worker runs.
 */
export function isStale(ledger: Ledger, { worker, task }: Copy): boolean {
  const done = ledger.done.get(task.ID);
  if (done) return done.Worker !== worker || (task.Placement !== '' && !samePlacement(done.Placement, task.Placement)) || task.StateName !== 'completed';
  const record = ledger.tasks.get(task.ID);
  if (!record) return placedHere(ledger, task.Placement);
  if (record.Worker !== worker) return !arrivedAfterAll(ledger, record, task);
  if (task.Placement !== '' && !samePlacement(record.Placement, task.Placement)) return true;
  if (failedAs(ledger, record, task.Placement) && task.StateName !== 'failed') {
    // Failed for good is final for its placement: only a stop the user asked for moves it on.
    return !(ledger.stopRequested.has(record.ID) && finished.has(task.StateName));
  }
  return record.State === TaskState.Completed && task.StateName !== 'completed';
}

/** Whether a report is not newer than one already applied for the same placement (it was overtaken on the way). */
export function isOlder(ledger: Ledger, { task }: Report): boolean {
  const applied = ledger.reported.get(task.ID);
  return task.Version > 0 && applied !== undefined && applied.placement === placementBase(task.Placement) && task.Version <= applied.version;
}

/**
 * Stops a stale copy where it still runs, and says so in the task's history
 * (once per copy); a Completed task's record is final, and a pruned task has
 * none, so for those the manager's log says it.
 */
export function stopStaleCopy(ledger: Ledger, policy: PlacementPolicy, { worker, task }: Copy, at: string, fx: Effects): void {
  if (finished.has(task.StateName)) return;
  fx.send(worker, { type: 'task.stop', id: task.ID, placement: task.Placement, at });
  const record = ledger.tasks.get(task.ID);
  const where = record
    ? failedAs(ledger, record, task.Placement)
      ? 'that placement failed for good'
      : `the task runs as placement ${record.Placement || '(none yet)'} on ${record.Worker || 'no worker yet'}`
    : ledger.done.has(task.ID)
      ? 'the task was stopped'
      : 'the task was pruned: it finished and its retention ran out';
  const message = `worker ${worker} still ran placement ${task.Placement || '(unnamed)'}; that copy is stopped (${where})`;
  fx.note({ Time: at, Type: 'Stale Copy Stopped', Message: message, Task: task.ID, Worker: worker });
  if (record && !record.Events.some((e) => e.Type === 'Stale Copy Stopped' && e.Message === message))
    setRecord(ledger, policy, note(record, at, 'Stale Copy Stopped', message), fx);
}

/**
 * What the manager's record keeps whatever a worker says: when it took the
 * task, and which service it is a copy of. A worker is told a task as a
 * client would send it, and a client cannot set these, so a worker's record
 * never has them (nor has a book worker's).
 */
const ownedByManager = ({ SubmitTime, Service, Slot, ServiceVersion }: Task) => ({ SubmitTime, Service, Slot, ServiceVersion });

/** Applies a current report: the record mirrors the worker's, with the manager's own history kept in front. */
export function mirror(ledger: Ledger, policy: PlacementPolicy, { worker, task }: Report, at: string, fx: Effects): void {
  const record = ledger.tasks.get(task.ID);
  if (!record) {
    // Completed here too: nothing changes a final record.
    if (ledger.done.has(task.ID)) return;
    // A task the manager has no record of (its state was lost): it runs, so it is in the system. A finished one is history, not work.
    if (isFinished(task)) return;
    const adopted = setRecord(
      ledger,
      policy,
      note({ ...task, Worker: worker }, at, 'Adopted', `reported by worker ${worker}; the manager had no record of it`),
      fx,
    );
    ledger.reported.set(task.ID, { placement: placementBase(adopted.Placement), version: task.Version });
    return;
  }
  if (record.Worker !== worker) ledger.queue.delete(task.ID); // a start that looked lost did arrive: keep it there
  if (task.StateName === 'pending') return;
  if (task.State === TaskState.Completed) ledger.stopRequested.delete(task.ID); // its worker confirms the stop
  const first = ledger.reported.get(task.ID) === undefined;
  const placement = task.Placement || record.Placement;
  const mirrored = setRecord(
    ledger,
    policy,
    { ...task, Worker: worker, Placement: placement, ...ownedByManager(record), Events: mergeHistory(record.Events, task.Events) },
    fx,
  );
  if (mirrored.State !== TaskState.Completed) ledger.reported.set(task.ID, { placement: placementBase(placement), version: task.Version });
  if (first) fx.placementAnswered(task.ID, placement, undefined);
}

const same = (a: TaskHistoryEntry, b: TaskHistoryEntry) => a.Time === b.Time && a.Type === b.Type && a.Message === b.Message;

/**
 * The manager's history of a task followed by what the worker saw since: the
 * worker's entries after the last one the manager already has (the worker's
 * history starts with the manager's, which travels with the run).
 */
export function mergeHistory(manager: TaskHistoryEntry[], worker: TaskHistoryEntry[]): TaskHistoryEntry[] {
  let from = worker.length;
  while (from > 0 && !manager.some((e) => same(e, worker[from - 1]!))) from--;
  const news = worker.slice(from).filter((w) => !manager.some((e) => same(e, w)));
  return news.length === 0 ? manager : [...manager, ...news].slice(-HISTORY_LIMIT);
}

/**
 * What a listing from a worker leaves out: tasks it should have and does not
 * are sent again, and a task it lists as Completed (a listing names those
 * without their records) is completed. A stop still asked is sent again
 * whatever the worker lists: when it does not have the placement, only its
 * answer (a tombstone left there) makes the stop final, since the run may
 * still be on its way. A listing of changes names in `held` every task the
 * worker has; a full one has them in `tasks`. Only the tasks on that worker
 * are looked at (`tasksOn`), so the cost follows its work, not the history.
 */
export function compareListed(ledger: Ledger, policy: PlacementPolicy, message: Extract<FromWorker, { type: 'worker.tasks' }>, fx: Effects): void {
  const { worker, tasks, at } = message;
  const listed = new Map<string, Pick<Task, 'Placement' | 'StateName'>>((message.held ?? tasks).map((t) => [t.ID, t]));
  const done = new Map((message.done ?? []).map((d) => [d.ID, d]));
  for (const record of tasksOn(ledger, worker)) {
    if (record.State === TaskState.Completed) {
      // Completed while this worker was lost: the stop it is owed.
      if (ledger.stopRequested.has(record.ID)) fx.send(worker, { type: 'task.stop', id: record.ID, placement: record.Placement, at });
      continue;
    }
    const there = listed.get(record.ID);
    const has = there !== undefined && (there.Placement === '' || samePlacement(there.Placement, record.Placement));
    const completed = done.get(record.ID);
    if (!has && completed !== undefined && samePlacement(completed.Placement, record.Placement)) {
      // Its Completed report was missed (the stream broke): the worker's word all the same.
      const stopped = ledger.stopRequested.has(record.ID);
      complete(
        ledger,
        policy,
        record,
        completed.FinishTime,
        stopped ? 'Killed' : 'Completed',
        `worker ${worker} lists placement ${record.Placement} as completed`,
        fx,
      );
    } else if (ledger.stopRequested.has(record.ID)) {
      if (!has || !finished.has(there.StateName)) fx.send(worker, { type: 'task.stop', id: record.ID, placement: record.Placement, at });
    } else if (!has && onItsWay.has(record.StateName) && !ledger.intents.has(record.ID)) {
      fx.note({
        Time: at,
        Type: 'Resent',
        Message: `worker ${worker} did not have placement ${record.Placement} of task ${record.Name}`,
        Task: record.ID,
        Worker: worker,
      });
      fx.send(worker, { type: 'task.run', task: record, at });
    }
  }
  // A copy the worker holds that has not changed since the manager last heard is named only in `held`, never
  // reported again: one the manager no longer wants (moved, stopped or pruned while the worker was away) is judged here.
  const reported = new Set(tasks.map((t) => t.ID));
  for (const copy of message.held ?? []) {
    if (reported.has(copy.ID)) continue; // judged as a report, with the listing's other records
    if (isStale(ledger, { worker, task: copy })) stopStaleCopy(ledger, policy, { worker, task: copy }, at, fx);
  }
}

/**
 * A worker refused a command about the current placement: a stop of one it
 * does not have (or has Completed) means it is stopped there, for good (it
 * left a tombstone); a refused run fails the task.
 */
export function refused(ledger: Ledger, policy: PlacementPolicy, message: Extract<FromWorker, { type: 'task.refused' }>, at: string, fx: Effects): void {
  fx.note({ Time: at, Type: 'Refused', Message: message.reason, Task: message.id, Worker: message.worker });
  const record = ledger.tasks.get(message.id);
  const current = record !== undefined && record.Worker === message.worker && samePlacement(record.Placement, message.placement);
  if (!current) return;
  if (record.State === TaskState.Completed) {
    if (message.command === 'stop' && ledger.stopRequested.delete(message.id))
      setRecord(ledger, policy, note(record, at, 'Stop Confirmed', `worker ${message.worker}: ${message.reason}`), fx);
    return;
  }
  if (ledger.stopRequested.has(message.id)) {
    complete(ledger, policy, record, at, 'Killed', `worker ${message.worker}: ${message.reason}`, fx);
  } else if (message.command === 'run') {
    const why = `worker ${message.worker} refused to run it: ${message.reason}`;
    setRecord(ledger, policy, note({ ...record, State: TaskState.Failed, StateName: 'failed', FinishTime: at, Reason: why }, at, 'Not Run', why), fx);
    fx.placementAnswered(record.ID, record.Placement, why);
  }
}
