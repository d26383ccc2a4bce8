// A task's Constraints (src/vocabulary/constraint.ts): a worker whose name or
// labels break one is filtered out, counted under the first it breaks.
import { satisfies } from '../../vocabulary/constraint.js';
import type { Filter } from './filter.js';

export const constraints: Filter = {
  name: 'constraints',
  check: ({ constraints: asked }, { name, labels }) => {
    const broken = asked.find((c) => !satisfies(c, name, labels ?? {}));
    return broken ? { group: `filtered by ${broken.text}` } : undefined;
  },
};
