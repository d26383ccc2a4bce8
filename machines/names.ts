// Task names are container names (docs/spec.md §1), so one name belongs to one task
// until that task is Completed (a Failed task keeps its stopped container).
// Both the manager and the worker keep this index to refuse a second task
// with a name in use, at POST, instead of failing it later at `docker create`.
import { TaskState, type Task } from '../src/vocabulary/task.js';

/** Keeps a name → ID index of the tasks not Completed in step with a record change. */
export function nameTask(names: Map<string, string>, previous: Task | undefined, next: Task): void {
  if (previous && names.get(previous.Name) === previous.ID) names.delete(previous.Name);
  if (next.State !== TaskState.Completed) names.set(next.Name, next.ID);
}

/** Why a new task cannot have this name: another task, not Completed, holds it. */
export function nameTaken(names: Map<string, string>, tasks: Map<string, Task>, task: Task): string | undefined {
  const holder = names.get(task.Name);
  if (holder === undefined || holder === task.ID) return undefined;
  const other = tasks.get(holder);
  const where = other?.Worker ? ` on worker ${other.Worker}` : '';
  return `the name "${task.Name}" is used by task ${holder} (${other?.StateName ?? 'active'}${where}); stop that task or give this one another Name`;
}
