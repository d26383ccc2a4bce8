// What a worker reports it has (`worker.tasks`), for a manager's sync and
// GET /tasks?since=N.
import type { Task } from '../../src/vocabulary/task.js';
import type { Listing, WorkerContext } from './context.js';

/**
 * What a worker reports it has (`worker.tasks`): everything, or, after
 * version `since`, the records that changed and the names of every task not
 * Completed (`held`), so the cost of a sync follows the work, not the
 * history. A `since` past the newest version (the worker lost its state) gets
 * everything.
 */
export function listing(context: Pick<WorkerContext, 'name' | 'tasks' | 'done' | 'seq'>, since: number | undefined, at: string): Listing {
  const base = { type: 'worker.tasks' as const, worker: context.name, at, version: context.seq };
  if (since === undefined || since > context.seq) return { ...base, tasks: [...context.tasks.values()], done: [...context.done.values()] };
  const tasks: Task[] = [];
  const held: Listing['held'] = [];
  for (const task of context.tasks.values()) {
    if (task.Version > since) tasks.push(task);
    held.push({ ID: task.ID, Placement: task.Placement, StateName: task.StateName });
  }
  return { ...base, tasks, done: [...context.done.changedSince(since)], held };
}
