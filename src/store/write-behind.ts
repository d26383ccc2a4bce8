// Writes that must not be lost, and must not end the process when the disk
// says no (full, read-only, damaged). Two kinds:
// - `must`: a user's command is written before it is carried out; when the
//   write fails the caller is told (and answers 503), so nothing is done that
//   a restart could forget;
// - `save`: everything else (what workers report, placements, pruned records
//   to remove) waits for the end of the event loop's turn and is written
//   then, the newest value per key, many in one transaction: a burst of
//   changes costs one commit, not one each. When that fails the values wait
//   and are written again until the disk takes them. Such a record can be
//   re-learnt from the workers, so serving goes on meanwhile.
// The first failure and the recovery are each one log line.
import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { backoff, type Backoff } from '../backoff.js';
import { STORE_WRITE, type StoreWrite } from '../vocabulary/channels.js';
import type { Log } from '../log.js';

export interface WriteBehindOptions {
  /** What is written, for log lines: "manager store /data/manager.db". */
  what: string;
  log: Log;
  /** The first wait before writing again; it doubles up to ten times as much. */
  retryMs?: number;
}

/**
 * Writes entries in one transaction; `complete` is true when they are every
 * value that waited, so whatever the store keeps about what it holds (the
 * newest version) can be written with them. Throws when it cannot.
 */
export type WriteMany<K, V> = (entries: [K, V][], complete: boolean) => void;

/** Why a write failed, in words: SQLite's code says more than its message. */
export function writeProblem(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const hints: Record<string, string> = {
    SQLITE_FULL: 'the disk is full',
    SQLITE_READONLY: 'the file or its disk is read-only',
    SQLITE_IOERR: 'the disk reported an I/O error',
    SQLITE_BUSY: 'another process holds the file',
    SQLITE_CORRUPT: 'the file is damaged',
  };
  const code = Object.keys(hints).find((c) => e.code?.startsWith(c));
  return code ? `${hints[code]} (${e.code}: ${e.message})` : String(e.message ?? error);
}

/** Where each transaction's time is told, for the metrics (src/metrics/store.ts). */
const writes = channel(STORE_WRITE);

/** Runs one transaction of `what`, telling the channel how long it took when anyone listens. */
function timed(what: string, mode: StoreWrite['mode'], write: () => void): void {
  if (!writes.hasSubscribers) return write();
  const start = performance.now();
  let ok = false;
  try {
    write();
    ok = true;
  } finally {
    writes.publish({ what, mode, seconds: (performance.now() - start) / 1000, ok } satisfies StoreWrite);
  }
}

/** At most this many values go in one transaction: a long backlog (a big sweep) is written over several turns. */
const BATCH = 2000;

export class WriteBehind<K, V> {
  private readonly waiting = new Map<K, V>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** The wait before writing again after a failure: `retryMs`, doubled up to ten times it. */
  private readonly firstWait: Backoff;
  private wait: Backoff;
  private failing = '';

  constructor(
    private readonly writeMany: WriteMany<K, V>,
    private readonly options: WriteBehindOptions,
  ) {
    this.firstWait = backoff(options.retryMs ?? 1000, (options.retryMs ?? 1000) * 10);
    this.wait = this.firstWait;
  }

  /** Why writes fail now, or "" when they do not. */
  problem(): string {
    return this.failing;
  }

  /** The value waiting to be written for `key`, if one does. */
  pending(key: K): V | undefined {
    return this.waiting.get(key);
  }

  /** Writes now or throws an Error that says why: for what must be stored before it is done. */
  must(key: K, value: V): void {
    this.mustMany([[key, value]]);
  }

  /** Writes these now, in one transaction, or throws an Error that says why (none is written then). */
  mustMany(entries: [K, V][]): void {
    const keys = new Set(entries.map(([key]) => key));
    const complete = [...this.waiting.keys()].every((key) => keys.has(key));
    try {
      timed(this.options.what, 'must', () => this.writeMany(entries, complete));
    } catch (error) {
      this.failed(error);
      throw new Error(writeProblem(error));
    }
    for (const [key] of entries) this.waiting.delete(key);
    this.recovered();
  }

  /** Writes at the end of this turn, or later if the disk fails meanwhile. Never throws. */
  save(key: K, value: V): void {
    this.waiting.set(key, value);
    if (this.timer === undefined) this.immediate ??= setImmediate(() => this.flush());
  }

  /** Stops retrying; what still waits is written once more, and what fails then is named in the log. */
  close(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    try {
      if (this.waiting.size > 0) this.writeMany([...this.waiting], true);
      this.waiting.clear();
    } catch (error) {
      this.options.log(`${this.options.what}: ${this.waiting.size} change(s) could not be written before closing: ${writeProblem(error)}`);
    }
  }

  private flush(): void {
    this.immediate = undefined;
    this.timer = undefined;
    const batch: [K, V][] = [];
    for (const entry of this.waiting) {
      batch.push(entry);
      if (batch.length === BATCH) break;
    }
    if (batch.length === 0) return;
    try {
      timed(this.options.what, 'save', () => this.writeMany(batch, batch.length === this.waiting.size));
    } catch (error) {
      this.failed(error);
      return;
    }
    for (const [key] of batch) this.waiting.delete(key);
    this.recovered();
    if (this.waiting.size > 0) this.immediate = setImmediate(() => this.flush());
  }

  private failed(error: unknown): void {
    if (!this.failing) {
      this.failing = writeProblem(error);
      this.options.log(
        `${this.options.what}: writes fail: ${this.failing}; Cube keeps serving, refuses new commands (503), and writes again until the disk takes it`,
      );
    }
    if (this.waiting.size > 0 && this.timer === undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
      this.timer = setTimeout(() => this.flush(), this.wait.ms);
      this.timer.unref();
      this.wait = this.wait.next();
    }
  }

  /** A write went through. */
  private recovered(): void {
    // The disk takes writes again (a command's went through): what waits for the retry, and what is saved
    // from now on, is written at the end of this turn, not when the retry comes, up to ten times `retryMs` later.
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.waiting.size > 0) this.immediate ??= setImmediate(() => this.flush());
    }
    if (!this.failing || this.waiting.size > 0) return;
    this.options.log(`${this.options.what}: writes work again`);
    this.failing = '';
    this.wait = this.firstWait;
  }
}
