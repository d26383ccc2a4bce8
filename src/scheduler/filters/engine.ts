// A worker whose container engine is down cannot start anything.
import type { Filter } from './filter.js';

export const engine: Filter = {
  name: 'engine',
  check: (_, { name, stats }) =>
    stats.Runtime === 'down'
      ? { group: 'with its container engine down', detail: `${name}${stats.RuntimeProblem ? `: ${stats.RuntimeProblem}` : ''}` }
      : undefined,
};
