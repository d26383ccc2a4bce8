// Group commit of intents. A user's command is written before it is carried
// out (docs/architecture.md §7, "Durable intents"); written one by one, every
// POST costs a transaction in the manager's store and another in its
// worker's. Inside a batch, intents wait instead: when the batch's work is
// done, each store writes what waits in one transaction and only then tells
// the actors (`intent.persisted`), which carry the commands out, and may
// leave intents of their own (the manager's runs, on its workers): those are
// written the same way, round after round, until none waits. Outside a batch
// an intent is written at once, as before.

/** A store's intents that wait in a batch. */
export interface DeferredIntents {
  /** Writes what waits in one transaction and tells each its outcome; false when nothing waited. */
  flushIntents(): boolean;
}

export class IntentBatch {
  private readonly stores = new Set<DeferredIntents>();
  private running = false;

  /** Whether intents wait now (a batch is under way). */
  get active(): boolean {
    return this.running;
  }

  join(store: DeferredIntents): void {
    this.stores.add(store);
  }

  /** Runs `work` with intents waiting, then writes them, store by store, until none waits. */
  run(work: () => void): void {
    if (this.running) return work();
    this.running = true;
    try {
      work();
    } finally {
      // Even when the work failed half way: what it left waiting is written and answered.
      try {
        for (let more = true; more;) {
          more = false;
          for (const store of this.stores) more = store.flushIntents() || more;
        }
      } finally {
        this.running = false;
      }
    }
  }
}
