// Counters derived from what the manager already publishes for GET /events:
// each task.updated carries the task's newest history entries (Nomad-style
// Types: Started, Terminated, Unhealthy, Restarting, …) and its placement.
// What is new since the last update of that task is counted, so nothing is
// threaded through the machines to count it.
import { Counter, type Registry } from 'prom-client';
import type { Task, TaskHistoryEntry } from '../vocabulary/task.js';

/** What was last seen of a task: its placement and newest history entry. */
interface Seen {
  placement: string;
  last: TaskHistoryEntry | undefined;
}

const same = (a: TaskHistoryEntry, b: TaskHistoryEntry) => a.Time === b.Time && a.Type === b.Type && a.Message === b.Message;

/** The entries of `events` after `last` (all of them when `last` is not among them any more). */
export function entriesAfter(events: TaskHistoryEntry[], last: TaskHistoryEntry | undefined): TaskHistoryEntry[] {
  if (!last) return events;
  const at = events.findLastIndex((e) => same(e, last));
  return at === -1 ? events : events.slice(at + 1);
}

/** A restart's reason: the Type of the failure its `Restarting` entry follows ("Terminated", "Unhealthy", …). */
function restartReason(events: TaskHistoryEntry[], index: number): string {
  for (let i = index - 1; i >= 0; i--) if (events[i]!.Type !== 'Restarting' && events[i]!.Type !== 'Progress') return events[i]!.Type;
  return 'unknown';
}

export class TaskHistoryCounters {
  private readonly seen = new Map<string, Seen>();
  private readonly events: Counter<'type'>;
  private readonly restarts: Counter<'reason'>;
  private readonly placements: Counter<'kind'>;

  constructor(registry: Registry) {
    this.events = new Counter({
      name: 'cube_task_events_total',
      help: "Entries written to tasks' histories, by their Type (Scheduled, Started, Terminated, Unhealthy, Restarting, Not Restarting, …).",
      labelNames: ['type'] as const,
      registers: [registry],
    });
    this.restarts = new Counter({
      name: 'cube_task_restarts_total',
      help: 'Restarts of tasks by their restart policy, by the Type of the failure that caused them (Terminated, Unhealthy, Driver Failure, …).',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    this.placements = new Counter({
      name: 'cube_placements_total',
      help: 'Placements of tasks on workers: kind="new" for a first run, a move or a restart by a user; kind="restart" for a restart by the restart policy on the same worker.',
      labelNames: ['kind'] as const,
      registers: [registry],
    });
  }

  /** Takes what is known of `tasks` now without counting it: what they did before this process watched. */
  baseline(tasks: Iterable<Task>): void {
    for (const task of tasks) this.seen.set(task.ID, { placement: task.Placement, last: task.Events.at(-1) });
  }

  /** Counts what is new in this record of a task. */
  update(task: Task): void {
    const before = this.seen.get(task.ID);
    const fresh = entriesAfter(task.Events, before?.last);
    fresh.forEach((entry, i) => {
      this.events.inc({ type: entry.Type });
      if (entry.Type === 'Restarting') this.restarts.inc({ reason: restartReason(task.Events, task.Events.length - fresh.length + i) });
    });
    if (task.Placement !== '' && task.Placement !== before?.placement) this.placements.inc({ kind: task.Placement.includes('#') ? 'restart' : 'new' });
    this.seen.set(task.ID, { placement: task.Placement, last: task.Events.at(-1) ?? before?.last });
  }

  /** Forgets tasks that left the ledger. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.seen.delete(id);
  }
}
