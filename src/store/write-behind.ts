// Writes that must not be lost, and must not end the process when the disk
// says no (full, read-only, damaged). Two kinds:
// - `must`: a user's command is written before it is carried out; when the
//   write fails the caller is told (and answers 503), so nothing is done that
//   a restart could forget;
// - `save`: everything else (what workers report, placements) is written
//   now, and when that fails the newest value per key is kept and written
//   again until the disk takes it. Such a record can be re-learnt from the
//   workers, so serving goes on meanwhile.
// The first failure and the recovery are each one log line.
import type { Log } from '../log.js';

export interface WriteBehindOptions {
  /** What is written, for log lines: "manager store /data/manager.db". */
  what: string;
  log: Log;
  /** The first wait before writing again; it doubles up to ten times as much. */
  retryMs?: number;
}

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

export class WriteBehind<K, V> {
  private readonly waiting = new Map<K, V>();
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private failing = '';

  constructor(
    private readonly write: (key: K, value: V) => void,
    private readonly options: WriteBehindOptions,
  ) {
    this.delay = options.retryMs ?? 1000;
  }

  /** Why writes fail now, or "" when they do not. */
  problem(): string {
    return this.failing;
  }

  /** Writes now or throws an Error that says why: for what must be stored before it is done. */
  must(key: K, value: V): void {
    try {
      this.write(key, value);
    } catch (error) {
      this.failed(error);
      throw new Error(writeProblem(error));
    }
    this.waiting.delete(key);
    this.recovered();
  }

  /** Writes now; on failure keeps the value (the newest per key) and writes it again later. Never throws. */
  save(key: K, value: V): void {
    if (this.waiting.size > 0) {
      // Older values wait: this one joins them, so the order of writes per key holds.
      this.waiting.set(key, value);
      return;
    }
    try {
      this.write(key, value);
    } catch (error) {
      this.waiting.set(key, value);
      this.failed(error);
      return;
    }
    this.recovered();
  }

  /** Stops retrying; what still waits is written once more, and what fails then is named in the log. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush(false);
  }

  private flush(again = true): void {
    this.timer = undefined;
    for (const [key, value] of this.waiting) {
      try {
        this.write(key, value);
        this.waiting.delete(key);
      } catch (error) {
        if (again) this.failed(error);
        else this.options.log(`${this.options.what}: ${this.waiting.size} change(s) could not be written before closing: ${writeProblem(error)}`);
        return;
      }
    }
    this.recovered();
  }

  private failed(error: unknown): void {
    if (!this.failing) {
      this.failing = writeProblem(error);
      this.options.log(
        `${this.options.what}: writes fail: ${this.failing}; Cube keeps serving, refuses new commands (503), and writes again until the disk takes it`,
      );
    }
    if (this.waiting.size > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.delay);
      this.timer.unref();
      this.delay = Math.min(this.delay * 2, (this.options.retryMs ?? 1000) * 10);
    }
  }

  private recovered(): void {
    if (!this.failing || this.waiting.size > 0) return;
    this.options.log(`${this.options.what}: writes work again`);
    this.failing = '';
    this.delay = this.options.retryMs ?? 1000;
  }
}
