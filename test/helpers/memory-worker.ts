// A worker machine over MemoryRuntime (an in-memory stand-in: no Docker) that
// writes through the store a test gives it; it reconciles and samples its
// stats only when the test says so (a `stats.sampled` event is its heartbeat).
import { MemoryRuntime } from '../../src/runtime/memory.js';
import { silentLog } from '../../src/log.js';
import { workerLogic } from '../../src/worker/logic.js';
import type { WorkerWrites } from '../../src/store/worker-writes.js';

/** A machine's stats that make no placement decision: the worker tests need only that there are some. */
export const someStats = {
  MemoryTotal: 1,
  MemoryAvailable: 1,
  DiskTotal: 1,
  DiskFree: 1,
  CpuUsage: 0,
  CpuCount: 1,
  LoadAverage: [0, 0, 0] as [number, number, number],
};

export function memoryWorker(writes: WorkerWrites) {
  const runtime = new MemoryRuntime();
  const logic = workerLogic(() => runtime, {
    health: { intervalMs: 1000, timeoutMs: 100 },
    reconcileIntervalMs: 1e9,
    statsIntervalMs: 1e9,
    sampleStats: () => someStats,
    writes: () => writes,
    log: silentLog,
  });
  return { runtime, logic };
}
