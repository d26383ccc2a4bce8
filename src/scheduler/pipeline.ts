// Placement as a pipeline (docs/architecture.md §7, "Placement is a pipeline of filters"; docs/scheduling.md):
//
//   every worker → filters (src/scheduler/filters/) → spread (a service's copies) → rank (E-PVM or round robin)
//
// Each filter rejects a worker with a reason; when none is left the task
// waits Pending with the reasons counted, as Nomad's placement failures are
// ("3 workers: 2 filtered by zone==a, 1 short of memory (…)"), or with the
// sentence of a filter that ties the task to one worker (its volume's). The
// schedulers only rank what is left, so every policy filters and explains the
// same way; the filters are a parameter, so a test can plant a mistake in one.
import { parseConstraint, type Constraint } from '../vocabulary/constraint.js';
import type { Candidate, Placement, Scheduler } from '../vocabulary/scheduler.js';
import type { Task } from '../vocabulary/task.js';
import { volumeNames } from '../vocabulary/mounts.js';
import { filters as allFilters, type Ask, type Filter, type Rejected, type Rejection } from './filters/index.js';
import { compareNames } from './names.js';
import { spread } from './spread.js';

/** The task with its constraints read (they were checked when the task came in), and where the workers offered hold its volumes. */
export function askOf(task: Task, candidates: readonly Candidate[]): Ask {
  const constraints = task.Constraints.map(parseConstraint).filter((c): c is Constraint => typeof c !== 'string');
  const mounted = new Set(volumeNames(task.Mounts));
  const homes = new Map<string, string>();
  for (const candidate of candidates) for (const volume of candidate.volumes ?? []) if (mounted.has(volume)) homes.set(volume, candidate.name);
  return { task, constraints, homes };
}

/** The candidates that pass every filter, in input order, and each other one with the first filter that rejected it. */
export function filterCandidates(
  task: Task,
  candidates: readonly Candidate[],
  filters: readonly Filter[] = allFilters,
): { ask: Ask; fitting: Candidate[]; rejected: Rejected[] } {
  const ask = askOf(task, candidates);
  const fitting: Candidate[] = [];
  const rejected: Rejected[] = [];
  for (const candidate of candidates) {
    let rejection: Rejection | undefined;
    for (const filter of filters) if ((rejection = filter.check(ask, candidate))) break;
    if (rejection) rejected.push({ candidate, rejection });
    else fitting.push(candidate);
  }
  return { ask, fitting, rejected };
}

/** "3 workers: 2 filtered by zone==a, 1 short of memory (w3 has …)": each group counted, in the order first met. */
export function countRejections(total: number, rejected: readonly Rejected[]): string {
  const groups = new Map<string, string[]>();
  for (const { rejection } of rejected) {
    const details = groups.get(rejection.group) ?? [];
    if (rejection.detail) details.push(rejection.detail);
    groups.set(rejection.group, details);
  }
  const counted = [...groups].map(([group, details]) => {
    const n = rejected.filter((r) => r.rejection.group === group).length;
    return `${n} ${group}${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
  });
  return `${total} worker${total === 1 ? '' : 's'}: ${counted.join(', ')}`;
}

/** The reason a task that no worker can take waits with: the rejections counted. */
export function noFit(total: number, rejected: readonly Rejected[]): string {
  return `no worker can take the task: ${total === 0 ? 'there are no workers' : countRejections(total, rejected)}`;
}

/** Why a task waits when every worker was rejected: the first filter that says it in a sentence of its own, else the counts. */
function waitingReason(ask: Ask, total: number, rejected: readonly Rejected[], filters: readonly Filter[]): string {
  for (const filter of filters) {
    const why = filter.waiting?.(ask, rejected);
    if (why !== undefined) return why;
  }
  return noFit(total, rejected);
}

/**
 * How a policy chooses among the workers left (at least one, in name order):
 * `unfit` are those the filters rejected, for its reason.
 */
export type Ranker = (task: Task, fitting: readonly Candidate[], memo: unknown, unfit: readonly Candidate[]) => Placement & { worker: string };

/** A scheduler's pick: `filters` (every rule of placement, unless a test plants a mistake), then spread, then `rank`. Pure, like the policies. */
export function pipeline(rank: Ranker, filters: readonly Filter[] = allFilters): Scheduler['pick'] {
  return (task, candidates, memo) => {
    // Name order first, so reasons read the same whatever order the manager lists workers in.
    const ordered = [...candidates].sort((a, b) => compareNames(a.name, b.name));
    const { ask, fitting, rejected } = filterCandidates(task, ordered, filters);
    if (fitting.length === 0) return { worker: null, reason: waitingReason(ask, ordered.length, rejected, filters), memo };
    const { chosen, note } = spread(task, ordered, fitting);
    const placed = rank(
      task,
      chosen,
      memo,
      rejected.map((r) => r.candidate),
    );
    return note ? { ...placed, reason: `${placed.reason}; ${note}` } : placed;
  };
}
