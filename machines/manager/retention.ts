// The manager's retention sweep (docs/architecture.md §7, "Retention"):
// finished tasks past the retention period, and the oldest beyond the
// maximum count, leave the ledger and the store; each worker is told to forget
// its copy of them (it also sweeps its own records by the same rules). One
// log entry per sweep that pruned anything. Nothing live is pruned, nor a
// task whose command is being written or whose stop is still owed to its worker.
import type { Retention } from '../../src/vocabulary/retention.js';
import { expired, sweepInterval } from '../retention.js';
import { forget, type Ledger, type Effects, type PlacementPolicy } from './ledger.js';

/** What a sweep did, for whoever asked for it (POST /gc). */
export interface Swept {
  pruned: number;
  /** Finished tasks still kept. */
  kept: number;
  /** Finished tasks pruned since the first start. */
  total: number;
}

/** Sweeps when one is due at `at` (the clock's tick). */
export function sweepIfDue(ledger: Ledger, policy: PlacementPolicy, retention: Retention, at: string, fx: Effects): void {
  if (Date.parse(at) >= ledger.nextSweep) sweep(ledger, policy, retention, at, fx);
}

/**
 * Sweeps now; `everyWorker` (a sweep someone asked for) has every worker sweep
 * its own records too. With `only`, forgets that one finished task alone,
 * whatever its age (DELETE /tasks/{id}?forget=true), and leaves the sweeps'
 * schedule as it was.
 */
export function sweep(ledger: Ledger, policy: PlacementPolicy, retention: Retention, at: string, fx: Effects, everyWorker = false, only?: string): Swept {
  const now = Date.parse(at);
  // A command being written, or a stop still owed to a worker, is work: it stays.
  const busy = (id: string) => ledger.intents.has(id) || ledger.stopRequested.has(id);
  if (only === undefined) ledger.nextSweep = now + sweepInterval(retention);
  const ids =
    only === undefined ? expired(ledger.finished, ledger.finished.size, retention, now, busy) : ledger.finished.has(only) && !busy(only) ? [only] : [];
  const forgotten = new Map<string, { id: string; placement: string }[]>();
  for (const id of ids) {
    const record = ledger.tasks.get(id) ?? ledger.done.get(id)!;
    const live = ledger.tasks.get(id);
    if (live) forget(ledger, policy, live);
    // A service keeps a copy that failed for good until then: it is history now.
    if (live && live.Service !== '') fx.toService(live.Service, { type: 'copy.pruned', id, at });
    ledger.done.delete(id);
    ledger.finished.delete(id);
    ledger.reported.delete(id);
    ledger.stopRequested.delete(id);
    if (record.Worker === '') continue;
    const list = forgotten.get(record.Worker) ?? [];
    if (list.length === 0) forgotten.set(record.Worker, list);
    list.push({ id, placement: record.Placement });
  }
  ledger.pruned += ids.length;
  if (everyWorker) for (const worker of ledger.workers.keys()) if (!forgotten.has(worker)) forgotten.set(worker, []);
  for (const [worker, forget] of forgotten) fx.send(worker, { type: 'worker.gc', at, forget });
  if (ids.length > 0 && only !== undefined) {
    fx.pruned(ids);
    fx.note({
      Time: at,
      Type: 'Forgotten',
      Message: `task ${only} forgotten at a user's request; ${ledger.finished.size} kept, ${ledger.pruned} pruned in all`,
    });
  } else if (ids.length > 0) {
    fx.pruned(ids);
    const limits = [
      ...(Number.isFinite(retention.ms) ? [`finished more than ${duration(retention.ms)} ago`] : []),
      ...(Number.isFinite(retention.max) ? [`beyond the newest ${retention.max}`] : []),
    ].join(', or ');
    fx.note({
      Time: at,
      Type: 'Pruned',
      Message: `pruned ${ids.length} finished task(s) (${limits}); ${ledger.finished.size} kept, ${ledger.pruned} pruned in all`,
    });
  }
  return { pruned: ids.length, kept: ledger.finished.size, total: ledger.pruned };
}

/** A retention period in words: "24h", "90s", "1500ms". */
function duration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
