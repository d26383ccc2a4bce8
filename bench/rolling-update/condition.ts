// Waiting on what events change, without polling: the code that receives the
// events calls `changed()`, and every wait whose check now holds ends.

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class Condition {
  private readonly waiters = new Set<Waiter>();
  private failure: Error | undefined;

  /** Something the checks read has changed: the waits whose check holds end (a check that throws fails its wait). */
  changed(): void {
    for (const waiter of [...this.waiters]) this.settle(waiter);
  }

  /** The source of the events failed: every wait, now and later, fails with it. */
  fail(error: Error): void {
    this.failure = error;
    for (const waiter of [...this.waiters]) {
      this.waiters.delete(waiter);
      waiter.reject(error);
    }
  }

  /** Resolves once `check` holds; fails when it throws, or after `timeoutMs` with the message `what` gives then. */
  until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(what()));
      }, timeoutMs);
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      if (this.failure) waiter.reject(this.failure);
      else if (!this.settle(waiter)) this.waiters.add(waiter);
    });
  }

  /** Ends the wait if its check holds or throws; says whether it ended. */
  private settle(waiter: Waiter): boolean {
    let held: boolean;
    try {
      held = waiter.check();
    } catch (error) {
      this.waiters.delete(waiter);
      waiter.reject(error as Error);
      return true;
    }
    if (held) {
      this.waiters.delete(waiter);
      waiter.resolve();
    }
    return held;
  }
}
