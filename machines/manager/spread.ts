// A service's copies go apart (docs/spec.md §9): to distinct workers while
// there are enough, then evenly; the scheduler picks among the workers left.
import type { Candidate } from '../../src/vocabulary/scheduler.js';
import type { Task } from '../../src/vocabulary/task.js';
import { holds, type Ledger } from './ledger.js';

/**
 * Where a service's copy may go: the workers with the fewest copies of that
 * service, so copies go to distinct workers while there are enough, then
 * spread evenly; the scheduler chooses among those. A task of its own may go
 * anywhere the scheduler likes.
 */
export function spread(ledger: Ledger, task: Task, pool: readonly Candidate[]): readonly Candidate[] {
  if (task.Service === '' || pool.length < 2) return pool;
  const count = (worker: string) => {
    let n = 0;
    for (const id of ledger.placed.get(worker) ?? []) {
      const other = ledger.tasks.get(id);
      if (other !== undefined && other.ID !== task.ID && other.Service === task.Service && holds(other)) n++;
    }
    return n;
  };
  const counts = pool.map((c) => count(c.name));
  const fewest = Math.min(...counts);
  return pool.filter((_, i) => counts[i] === fewest);
}
