// One backoff for every retry: a stream to reopen (Docker's events, a
// worker's), a manager to join, a store to write again, a worker to ask which
// protocol it speaks, the inspector's relay. Cockatiel's exponential backoff
// without jitter: the first wait, then each twice the last, up to a cap. Cube's
// retries are few and spread over separate peers, so jitter would only make
// the waits harder to read in a log.
import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';

/** The wait before a retry; `next()` is the backoff after one more failure, and a success starts again from the first. */
export interface Backoff {
  /** Milliseconds to wait before this retry. */
  readonly ms: number;
  next(): Backoff;
}

const wrap = (backoff: IBackoff<unknown>): Backoff => ({ ms: backoff.duration, next: () => wrap(backoff.next(undefined)) });

/** Waits of `firstMs`, then each twice the last, up to `maxMs`. */
export const backoff = (firstMs: number, maxMs: number): Backoff =>
  wrap(new ExponentialBackoff({ initialDelay: firstMs, maxDelay: maxMs, generator: noJitterGenerator }).next());
