// Which task a person means by what they typed: its full ID, the start of its
// ID (as docker does), the last group of its ID (what `cube service ps` shows
// of a copy), or its Name. Several matches are an error that lists them, so
// nothing is stopped by accident.
import type { Task } from '../vocabulary/task.js';
import { idEnd, stateLabel } from './format.js';
import { ApiError, type ManagerClient } from './manager-client.js';

/**
 * The tasks `what` may mean: an exact ID wins; else the tasks whose ID starts
 * with it, whose ID's last group is it, or whose Name is it. With `live`, Completed tasks are dropped when
 * others match too (a name reused after a stop).
 */
export function matchTasks(tasks: readonly Task[], what: string, live = false): Task[] {
  const exact = tasks.filter((t) => t.ID === what);
  if (exact.length) return exact;
  const matches = tasks.filter((t) => t.ID.startsWith(what) || idEnd(t.ID) === what || t.Name === what);
  if (live && matches.length > 1) {
    const notDone = matches.filter((t) => t.State !== 3);
    if (notDone.length) return notDone;
  }
  return matches;
}

/** The one task ID `what` means, or an error that says why there is none. */
export function pickTask(tasks: readonly Task[], what: string, live = false): string {
  const matches = matchTasks(tasks, what, live);
  if (matches.length === 1) return matches[0]!.ID;
  if (matches.length === 0) return '';
  const listed = matches.slice(0, 5).map((t) => `${t.ID} (${t.Name || 'no name'}, ${stateLabel(t)})`);
  throw new ApiError(
    409,
    `${JSON.stringify(what)} matches ${matches.length} tasks: ${listed.join(', ')}${matches.length > 5 ? ', …' : ''}; give more of the ID`,
  );
}

export const unknownTask = (what: string) =>
  new ApiError(404, `no task ${JSON.stringify(what)}: no task has that ID, the start or the last group of one, or that name; cube status lists every task`);

/**
 * Runs `action` with the ID as typed; when the manager knows no such task,
 * with the one task the text names (ID prefix or Name), if exactly one.
 */
export async function withTask<T>(client: ManagerClient, what: string, action: (id: string) => Promise<T>, live = false): Promise<T> {
  try {
    return await action(what);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  const id = pickTask(await client.tasks(), what, live);
  if (!id || id === what) throw unknownTask(what);
  return action(id);
}
