// Which task a person means by what they typed, decided the same way in every
// command that takes one (status, logs, events --task, stop, restart, rm), as
// docs/cli.md "Naming a task" says:
//   1. the task whose ID is exactly that;
//   2. else the tasks whose ID starts with it (as docker takes IDs), whose ID's
//      last group is it (what tables show of a service's copy), or whose name is it;
//   3. one of them: that one; several: the one of them that is live (not
//      Completed), since a name is free again once its task is Completed;
//   4. else nothing is chosen: the candidates are listed (the live ones, or
//      all when none is live), so nothing is stopped or removed by accident.
import { TaskState, type Task } from '../vocabulary/task.js';
import { idEnd, shortId, stateLabel } from './format.js';
import { ApiError, type ManagerClient } from './manager-client.js';
import { align } from './table.js';

/** What every command that takes a task says of its ID in its help. */
export const taskNaming = `ID is a task's ID, the start of one (tables show 12 characters), its last group
or its name; when several tasks match, the one that is not Completed; when
several live ones match, none, and they are listed (docs/cli.md, "Naming a task").`;

/** How many candidates an ambiguity lists. */
const LISTED = 10;

/** The tasks `what` may mean, by the rule above: one when it picks one, else the candidates (none for no match). */
export function matchTasks(tasks: readonly Task[], what: string): Task[] {
  const exact = tasks.filter((t) => t.ID === what);
  if (exact.length) return exact;
  const matches = tasks.filter((t) => t.ID.startsWith(what) || idEnd(t.ID) === what || t.Name === what);
  if (matches.length <= 1) return matches;
  const live = matches.filter((t) => t.State !== TaskState.Completed);
  return live.length ? live : matches;
}

/** "web  3f2a9c1b-7d4  Running  localhost:5555" lines, one a candidate, aligned. */
function candidateLines(tasks: readonly Task[]): string {
  const rows = tasks.slice(0, LISTED).map((t) => ['', t.Name || '-', shortId(t), stateLabel(t), t.Worker ? `on ${t.Worker}` : 'on no worker']);
  const more = tasks.length > LISTED ? `  … and ${tasks.length - LISTED} more\n` : '';
  return align(rows, 2) + more;
}

/** The one task ID `what` means, '' for none, or an error that lists the candidates. */
export function pickTask(tasks: readonly Task[], what: string): string {
  const matches = matchTasks(tasks, what);
  if (matches.length <= 1) return matches[0]?.ID ?? '';
  const which = matches.every((t) => t.State === TaskState.Completed) ? 'tasks, none of them live' : 'live tasks';
  throw new ApiError(409, `${JSON.stringify(what)} matches ${matches.length} ${which}; give more of the ID:\n${candidateLines(matches).trimEnd()}`);
}

export const unknownTask = (what: string) =>
  new ApiError(404, `no task ${JSON.stringify(what)}: no task has that ID, the start or the last group of one, or that name; cube status lists every task`);

/** The one task `what` means by the rule above, as the manager has it now. */
export async function resolveTask(client: ManagerClient, what: string): Promise<Task> {
  const tasks = await client.tasks();
  const id = pickTask(tasks, what);
  if (!id) throw unknownTask(what);
  return tasks.find((t) => t.ID === id)!;
}

/**
 * Runs `action` with the ID as typed (rule 1, without listing every task);
 * when the manager has no task of that ID, with the one task the rule picks.
 */
export async function withTask<T>(client: ManagerClient, what: string, action: (id: string) => Promise<T>): Promise<T> {
  try {
    return await action(what);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    const { ID } = await resolveTask(client, what);
    if (ID === what) throw error; // the task is there: its 404 was about something else (its logs, say)
    return action(ID);
  }
}
