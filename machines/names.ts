// Task names are container names (docs/spec.md §1), so one name belongs to one task
// until that task is Completed (a Failed task keeps its stopped container).
// Both the manager and the worker keep this index to refuse a second task
// with a name in use, at POST, instead of failing it later at `docker create`.
// A task POSTed without a name gets one here, where the live names are known.
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

/** How long the image part of a generated name may be: with its suffix, it stays short enough to read and type. */
const BASE_MAX = 40;
/** How much of the ID a generated name may hold: within the 128 characters of a name. */
const ID_MAX = 80;

/**
 * The image part of a generated name: the last path element of the reference,
 * without tag or digest, in the characters a container name allows
 * (`registry:5000/team/Hello_World:1.2@sha256:…` → `hello_world`).
 */
export function imageBase(image: string): string {
  const path = image.split('@')[0]!;
  const last = path.slice(path.lastIndexOf('/') + 1).replace(/:.*$/, '');
  const clean = last
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, BASE_MAX)
    .replace(/[^a-z0-9]+$/, '');
  return clean || 'task';
}

/**
 * The names a nameless task may get, first choice first: its image's part, a
 * dash and the first 4 characters of its ID (a UUID's are random hex, and the
 * same as the start of the ID that tables show), then 5, 6… when a live task
 * holds the shorter one; past the whole ID, a counter.
 */
export function* generatedNames(task: Pick<Task, 'ID' | 'Image'>): Generator<string, never, undefined> {
  const base = imageBase(task.Image);
  const chars =
    task.ID.toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, ID_MAX) || 'x';
  for (let length = Math.min(4, chars.length); length <= chars.length; length++) yield `${base}-${chars.slice(0, length)}`;
  for (let n = 2; ; n++) yield `${base}-${chars}-${n}`;
}

/**
 * The task with a Name: the one it was given; else its record's (a repeated
 * POST of a task keeps its name); else one generated from its image that no
 * live task holds (docs/spec.md §1).
 */
export function named(names: Map<string, string>, record: Task | undefined, task: Task): Task {
  if (task.Name !== '') return task;
  if (record) return { ...task, Name: record.Name };
  const free = (name: string) => (names.get(name) ?? task.ID) === task.ID;
  const candidates = generatedNames(task);
  let name = candidates.next().value;
  while (!free(name)) name = candidates.next().value;
  return { ...task, Name: name };
}
