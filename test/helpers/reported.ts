// The newest record an actor (a manager or a worker) reported of each task,
// Completed ones included: both keep those in their stores only, so a test
// that follows a task to its end reads it here.
import type { Task } from '../../src/vocabulary/task.js';

interface Reporter {
  on(type: 'task.updated', handler: (event: { task: Task }) => void): unknown;
}

const reported = new WeakMap<Reporter, Map<string, Task>>();

/** The actor's reports so far, by task; call it before the actor starts to miss none. */
export function latestReported(actor: Reporter): Map<string, Task> {
  let records = reported.get(actor);
  if (!records) {
    const kept = (records = new Map<string, Task>());
    actor.on('task.updated', ({ task }) => kept.set(task.ID, task));
    reported.set(actor, records);
  }
  return records;
}
