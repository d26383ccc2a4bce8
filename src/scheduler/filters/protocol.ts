// A worker that speaks the Go book's protocol cannot be given Env or Cmd:
// its task has no such keys (docs/api.md, "The book's protocol").
import type { Filter } from './filter.js';

export const protocol: Filter = {
  name: 'protocol',
  check: ({ task }, { stats }) =>
    stats.Protocol === 'book' && (task.Env.length > 0 || task.Cmd.length > 0)
      ? { group: `speaking the book's protocol, which cannot carry the task's ${task.Env.length > 0 ? 'Env' : 'Cmd'}` }
      : undefined,
};
