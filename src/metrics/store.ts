// How long a store's transactions take, and which fail, as src/store/write-behind.ts
// tells them on its diagnostics channel: the manager's store and each worker's
// (docs/metrics.md). An API counts only its own store's, found by the name its
// log lines give it, since `cube start` has a manager and workers in one process.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter, Histogram, type Registry } from 'prom-client';
import { STORE_WRITE, type StoreWrite } from '../vocabulary/channels.js';

/** Registers the store metrics of the store whose name starts with `owner` ("manager store", "worker w1 store"); returns the end of counting. */
export function storeMetrics(registry: Registry, owner: string): () => void {
  const durations = new Histogram({
    name: 'cube_store_write_duration_seconds',
    help: 'Time of one store transaction: mode="must" for a command written before it is carried out, mode="save" for the writes behind.',
    labelNames: ['mode'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'cube_store_write_errors_total',
    help: 'Store transactions that failed (a full or read-only disk, a damaged file); the values wait and are written again.',
    labelNames: ['mode'] as const,
    registers: [registry],
  });
  const prefix = `${owner} `;
  const listener = (message: unknown) => {
    const write = message as StoreWrite;
    if (!write.what.startsWith(prefix)) return;
    durations.observe({ mode: write.mode }, write.seconds);
    if (!write.ok) errors.inc({ mode: write.mode });
  };
  subscribe(STORE_WRITE, listener);
  return () => void unsubscribe(STORE_WRITE, listener);
}
