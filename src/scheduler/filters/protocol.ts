// A worker that speaks the Go book's protocol cannot be given Env, Cmd or
// Mounts: its task has no such keys (docs/api.md, "The book's protocol").
import type { Task } from '../../vocabulary/task.js';
import type { Filter } from './filter.js';

/** The first key of the task the book's protocol cannot carry, or undefined. */
const uncarried = (task: Task): string | undefined =>
  task.Env.length > 0 ? 'Env' : task.Cmd.length > 0 ? 'Cmd' : task.Mounts.length > 0 ? 'Mounts' : undefined;

export const protocol: Filter = {
  name: 'protocol',
  check: ({ task }, { stats }) => {
    const key = stats.Protocol === 'book' ? uncarried(task) : undefined;
    return key ? { group: `speaking the book's protocol, which cannot carry the task's ${key}` } : undefined;
  },
};
