// The diagnostics channels (node:diagnostics_channel) Cube publishes facts on
// that only its metrics want (src/metrics/): a publisher that nobody listens
// to costs a check of `hasSubscribers`, and nothing is threaded through the
// layers between them.

/** A health-check probe of a task failed. */
export const HEALTH_FAILED = 'cube:health.failed';
export interface HealthFailed {
  /** The worker the task runs on. */
  worker: string;
  task: string;
}

/** A store wrote (or failed to write) values in one transaction (src/store/write-behind.ts). */
export const STORE_WRITE = 'cube:store.write';
export interface StoreWrite {
  /** The store, as its log lines name it: "manager store /data/manager.db", "worker w1 store (memory)". */
  what: string;
  /** "must": a user's command, written before it is carried out; "save": everything else, written behind. */
  mode: 'must' | 'save';
  seconds: number;
  ok: boolean;
}
