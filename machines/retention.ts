// Retention of finished tasks (docs/architecture.md §7, "Retention"): which
// tasks are finished, and which of them a sweep removes. The manager and the
// worker each sweep their own records with these rules.
import type { DoneTask, Retention } from '../src/vocabulary/retention.js';
import type { StateName, Task } from '../src/vocabulary/task.js';
import type { DoneTasks } from './done-tasks.js';

export const doneOf = (task: Task): DoneTask => ({
  ID: task.ID,
  Worker: task.Worker,
  Placement: task.Placement,
  SubmitTime: task.SubmitTime,
  FinishTime: task.FinishTime,
  Version: task.Version,
});

/** Completed, or Failed with no restart waiting. */
export const isFinished = (task: { StateName: StateName }): boolean => task.StateName === 'completed' || task.StateName === 'failed';

/**
 * The finished tasks a process restored, in the order they finished: what
 * its sweeps read. A task whose finish time cannot be read is taken to have
 * finished at `unreadable` (ms).
 */
export function finishOrder(restored: Iterable<Task>, done: DoneTasks, unreadable: number): Map<string, number> {
  const entries: [string, number][] = [];
  for (const task of restored) if (isFinished(task)) entries.push([task.ID, Date.parse(task.FinishTime) || unreadable]);
  for (const [id, time] of done.times('FinishTime')) entries.push([id, Date.parse(time) || unreadable]);
  return new Map(entries.sort((a, b) => a[1] - b[1]));
}

/** How often a sweep runs: every minute, or every tenth of the retention period when that is shorter, at least every second. */
export const sweepInterval = (retention: Retention): number => Math.min(60_000, Math.max(1000, retention.ms / 10));

/**
 * The finished tasks a sweep removes at `now` (ms): those that finished
 * longer than the retention period ago, and the oldest beyond the maximum
 * count. `finished` gives each of the `count` finished tasks with when it
 * finished, in the order they finished, so a sweep reads only what it
 * removes (and one more). `kept` names tasks that must stay this time (a
 * command on its way); it is told whether the task's retention period is
 * over, or only the count is.
 */
export function expired(
  finished: Iterable<readonly [string, number]>,
  count: number,
  retention: Retention,
  now: number,
  kept: (id: string, pastPeriod: boolean) => boolean = () => false,
): string[] {
  const out: string[] = [];
  let left = count;
  for (const [id, at] of finished) {
    const pastPeriod = at <= now - retention.ms;
    if (left <= retention.max && !pastPeriod) break;
    if (kept(id, pastPeriod)) continue;
    out.push(id);
    left--;
  }
  return out;
}

/** Two sequences of [ID, time], each in time order, as one in time order (the first's first on a tie). */
export function* byTime<T extends readonly [string, number]>(a: Iterable<T>, b: Iterable<T>): Generator<T> {
  const [left, right] = [a[Symbol.iterator](), b[Symbol.iterator]()];
  let [x, y] = [left.next(), right.next()];
  try {
    while (!x.done || !y.done) {
      if (y.done || (!x.done && x.value[1] <= y.value[1])) {
        yield x.value as T;
        x = left.next();
      } else {
        yield y.value;
        y = right.next();
      }
    }
  } finally {
    // A sweep stops early: a store's cursor behind either is let go.
    left.return?.();
    right.return?.();
  }
}
