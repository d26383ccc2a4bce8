// The settings every simulated process runs with: Cube's own defaults
// (readSettings with no flags and no environment), with times shortened so a
// run of a couple of simulated minutes sees TTLs expire, backoffs run out,
// reconciles repeat many times and finished tasks are pruned.
import { readSettings, type Settings } from '../../src/config/settings.js';
import type { MachineStats } from '../../machines/worker/context.js';

export function simSettings(scheduler: 'epvm' | 'roundrobin'): Settings {
  return {
    ...readSettings({}, {}),
    scheduler,
    store: 'memory',
    heartbeatTtlMs: 4000,
    reconcileIntervalMs: 3000,
    healthIntervalMs: 2000,
    healthTimeoutMs: 500,
    healthFailures: 2,
    restartLimit: 3,
    restartDelayMs: 2000,
    restartDelayMaxMs: 16_000,
    stopTimeoutMs: 2000,
    dockerTimeoutMs: 10_000,
    // Finished tasks are pruned within a run: a sweep every 2 s, and a few kept at most.
    retentionMs: 20_000,
    retentionMax: 3,
  };
}

/** A worker of a scenario with placement: its labels, and the memory it offers (all of it available). */
export const placedStats = (labels: Record<string, string>, memory: number) => (): MachineStats => ({
  ...fixedStats(),
  MemoryTotal: memory,
  MemoryAvailable: memory,
  Labels: labels,
});

/** Every worker machine reports the same roomy numbers: placement is not what is under test. */
export const fixedStats = (): MachineStats => ({
  MemoryTotal: 64 * 2 ** 30,
  MemoryAvailable: 48 * 2 ** 30,
  DiskTotal: 512 * 2 ** 30,
  DiskFree: 256 * 2 ** 30,
  CpuUsage: 0.1,
  CpuCount: 16,
  LoadAverage: [0.5, 0.5, 0.5],
});
