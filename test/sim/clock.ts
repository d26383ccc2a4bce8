// The one simulated clock. Fake timers are installed over the process for
// the length of a run: Date, setTimeout, setInterval and performance.now are
// simulated, so XState's `after` delays, the manager's clock actor, the
// services' `new Date()`, the network's delays and the simulator's own events
// all run on one timeline. Promises, queueMicrotask and setImmediate are
// real: a step runs the next timer, then lets what it set off settle (the
// promises, and the ends of turns Cube waits for with setImmediate: an SSE
// stream's sending, a group commit) at that timer's simulated time.
// performance.now is simulated because the readers of lines and events
// (src/ui/lines.js) let the event loop turn after 10 ms of work by it: on a
// real clock, where they turn would depend on the machine.
//
// Two more globals are replaced while a run lasts: AbortSignal.timeout (Node
// arms a real timer for it) and Math.random (XState draws the ids of delayed
// events from it; a seeded stream keeps even those the same run to run).
import { install } from '@sinonjs/fake-timers';
import { setImmediate as realSetImmediate } from 'node:timers';
import type { Random } from './random.js';

/** 2030-01-01T00:00:00Z: where every run's clock starts. */
export const EPOCH = Date.UTC(2030, 0, 1);

const flush = () => new Promise<void>((resolve) => realSetImmediate(resolve));

export class SimClock {
  private readonly clock: ReturnType<typeof install>;
  private readonly restore: (() => void)[] = [];

  constructor(random: Random) {
    this.clock = install({
      now: EPOCH,
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'],
      loopLimit: 1_000_000,
    });
    const timeout = AbortSignal.timeout;
    AbortSignal.timeout = (ms: number) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new DOMException(`The operation timed out after ${ms} ms`, 'TimeoutError')), ms);
      return controller.signal;
    };
    this.restore.push(() => void (AbortSignal.timeout = timeout));
    const mathRandom = Math.random;
    Math.random = () => random.float();
    this.restore.push(() => void (Math.random = mathRandom));
  }

  /** Milliseconds since the run began. */
  get elapsed(): number {
    return this.clock.now - EPOCH;
  }

  get now(): number {
    return this.clock.now;
  }

  /** When the next timer is due (absolute ms), or undefined when none is set. */
  nextDue(): number | undefined {
    const heap = (this.clock as unknown as { timerHeap?: { peek(): { callAt: number } | undefined } }).timerHeap;
    return heap?.peek()?.callAt;
  }

  /**
   * Runs the next timer, then lets every promise it set off settle. An
   * exception thrown by the timer is returned: in a real process it would be
   * uncaught and end it.
   */
  async step(): Promise<unknown> {
    await flush();
    let thrown: unknown;
    try {
      this.clock.next();
    } catch (error) {
      thrown = error ?? new Error('a timer threw undefined');
    }
    await flush();
    return thrown;
  }

  /** Lets pending promises settle without moving time. */
  settle(): Promise<void> {
    return flush();
  }

  uninstall(): void {
    for (const undo of this.restore.reverse()) undo();
    this.clock.uninstall();
  }
}
