// A task actor's change, as its shard relays it (`task.changed`): the worker
// keeps the record, gives it the next version, saves it and reports it. A
// Completed record is final: it is saved, and only its DoneTask stays in
// memory.
import { TaskState, type Task } from '../../src/vocabulary/task.js';
import { sameRecord } from '../definition.js';
import { nameTask } from '../names.js';
import { doneOf, isFinished } from '../retention.js';
import { release } from '../shard-pool.js';
import { isActive, type Effects, type WorkerContext } from './context.js';

/**
 * Whether a relayed snapshot is news: shards relay every snapshot, and only a
 * changed record is. A task is Pending here only for the instant before the
 * worker schedules it: reporting that would move a manager's Scheduled record
 * backwards.
 */
export function isNews(context: WorkerContext, task: Task): boolean {
  if (context.fromActors.get(task.ID) === task || task.StateName === 'pending') return false;
  const kept = context.tasks.get(task.ID);
  return kept === undefined || !sameRecord(kept, task);
}

export function recordChange(context: WorkerContext, changed: Task, fx: Effects): void {
  const previous = context.tasks.get(changed.ID);
  const task: Task = { ...changed, Version: ++context.seq };
  context.fromActors.set(task.ID, changed);
  nameTask(context.names, previous, task);
  if (!isFinished(task)) context.finished.delete(task.ID);
  else if (!context.finished.has(task.ID)) context.finished.set(task.ID, Date.parse(task.FinishTime) || 0);
  if (task.State === TaskState.Completed) {
    const over = release(context.pool, task.ID); // its actor is gone
    if (over) fx.stopShard(over);
    context.fromActors.delete(task.ID);
    // A Completed record is final: it is saved, and only its DoneTask stays in memory.
    context.tasks.delete(task.ID);
    context.done.set(task.ID, doneOf(task));
  } else {
    context.done.delete(task.ID);
    context.tasks.set(task.ID, task);
  }
  context.active += Number(isActive(task)) - Number(isActive(previous));
  fx.save(task);
  // Dated by its newest fact: a manager that embeds this worker reads the same clock, and dates what the change
  // sets off by it rather than by its last tick (a proxy of a worker elsewhere dates it on arrival instead).
  const at = task.Events.at(-1)?.Time;
  fx.report({ type: 'task.updated', worker: context.name, task, ...(at === undefined ? {} : { at }) });
  // A new placement that waited for this one to finish stopping starts now.
  const waiting = context.deferred.get(task.ID);
  if (waiting && task.State === TaskState.Completed) {
    context.deferred.delete(task.ID);
    fx.runAgain(waiting);
  }
}
