// The manager's retention sweep (docs/architecture.md §7, "Retention"):
// finished tasks past the retention period, and the oldest beyond the
// maximum count, leave the book and the store; each worker is told to forget
// its copy of them (it also sweeps its own records by the same rules). One
// log entry per sweep that pruned anything. Nothing live is pruned, nor a
// task whose command is being written or whose stop is still owed to its worker.
import type { Retention } from '../../src/vocabulary/retention.js';
import { expired, sweepInterval } from '../retention.js';
import { forget, type Book, type Effects, type PlacementPolicy } from './book.js';

/** What a sweep did, for whoever asked for it (POST /gc). */
export interface Swept {
  pruned: number;
  /** Finished tasks still kept. */
  kept: number;
  /** Finished tasks pruned since the first start. */
  total: number;
}

/** Sweeps when one is due at `at` (the clock's tick). */
export function sweepIfDue(book: Book, policy: PlacementPolicy, retention: Retention, at: string, fx: Effects): void {
  if (Date.parse(at) >= book.nextSweep) sweep(book, policy, retention, at, fx);
}

/** Sweeps now; `everyWorker` (a sweep someone asked for) has every worker sweep its own records too. */
export function sweep(book: Book, policy: PlacementPolicy, retention: Retention, at: string, fx: Effects, everyWorker = false): Swept {
  const now = Date.parse(at);
  book.nextSweep = now + sweepInterval(retention);
  // A command being written, or a stop still owed to a worker, is work: it stays.
  const ids = expired(book.finished, book.finished.size, retention, now, (id) => book.intents.has(id) || book.stopRequested.has(id));
  const forgotten = new Map<string, { id: string; placement: string }[]>();
  for (const id of ids) {
    const record = book.tasks.get(id) ?? book.done.get(id)!;
    const live = book.tasks.get(id);
    if (live) forget(book, policy, live);
    book.done.delete(id);
    book.finished.delete(id);
    book.reported.delete(id);
    book.stopRequested.delete(id);
    if (record.Worker === '') continue;
    const list = forgotten.get(record.Worker) ?? [];
    if (list.length === 0) forgotten.set(record.Worker, list);
    list.push({ id, placement: record.Placement });
  }
  book.pruned += ids.length;
  if (everyWorker) for (const worker of book.workers.keys()) if (!forgotten.has(worker)) forgotten.set(worker, []);
  for (const [worker, forget] of forgotten) fx.send(worker, { type: 'worker.gc', at, forget });
  if (ids.length > 0) {
    fx.pruned(ids);
    const limits = [
      ...(Number.isFinite(retention.ms) ? [`finished more than ${duration(retention.ms)} ago`] : []),
      ...(Number.isFinite(retention.max) ? [`beyond the newest ${retention.max}`] : []),
    ].join(', or ');
    fx.note({
      Time: at,
      Type: 'Pruned',
      Message: `pruned ${ids.length} finished task(s) (${limits}); ${book.finished.size} kept, ${book.pruned} pruned in all`,
    });
  }
  return { pruned: ids.length, kept: book.finished.size, total: book.pruned };
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
