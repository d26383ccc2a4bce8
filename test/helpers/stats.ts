// WorkerStats for tests of placement: an 8 GiB, 4-CPU machine at rest, unless told otherwise.
import type { WorkerStats } from '../../src/vocabulary/protocol.js';

const GiB = 2 ** 30;

export const workerStats = (worker: string, fields: Partial<WorkerStats> = {}): WorkerStats => ({
  Worker: worker,
  MemoryTotal: 8 * GiB,
  MemoryAvailable: 8 * GiB,
  DiskTotal: 100 * GiB,
  DiskFree: 100 * GiB,
  CpuUsage: 0,
  CpuCount: 4,
  LoadAverage: [0, 0, 0],
  TaskCount: 0,
  Runtime: 'up',
  RuntimeProblem: '',
  ...fields,
});
