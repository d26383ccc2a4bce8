// The machine stats a worker reports (docs/spec.md §3 /stats): memory, disk, CPU use
// since the previous sample, load averages. They double as the heartbeat.
// The book's keys (MemStats, DiskStats, CpuStats, LoadStats) ride along, so
// the book's manager can read a Cube worker's /stats (docs/api.md).
import { statfsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { MachineStats } from '../../machines/worker/context.js';
import { sampleBookStats } from '../book/proc-stats.js';
import type { BookStats } from '../book/shapes.js';

interface CpuTimes {
  busy: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

/**
 * What a worker offers to tasks (cube worker --memory 8g --cpus 2 --disk 100g
 * --label zone=a): a capacity of 0 is the machine's. A smaller one is what the
 * manager counts placements against (docs/scheduling.md, "Resources that add
 * up"), and what is free is never reported above it.
 */
export interface Offer {
  memory: number;
  cpus: number;
  disk: number;
  labels: Record<string, string>;
}

export const MACHINE_OFFER: Offer = { memory: 0, cpus: 0, disk: 0, labels: {} };

/** Returns a sampler; each call measures CPU use since the previous call. */
export function statsSampler(diskPath: string, offer: Offer = MACHINE_OFFER): () => MachineStats & Omit<BookStats, 'TaskCount'> {
  let previous = cpuTimes();
  return () => {
    const current = cpuTimes();
    const total = current.total - previous.total;
    const usage = total > 0 ? (current.busy - previous.busy) / total : 0;
    previous = current;
    let disk = { total: 0, free: 0 };
    try {
      const fs = statfsSync(diskPath);
      disk = { total: fs.blocks * fs.bsize, free: fs.bavail * fs.bsize };
    } catch {
      // a path that does not exist yet: the disk is reported as unknown (0)
    }
    const [one, five, fifteen] = loadavg() as [number, number, number];
    const memory = offer.memory || totalmem();
    const diskTotal = offer.disk || disk.total;
    return {
      MemoryTotal: memory,
      MemoryAvailable: Math.min(freemem(), memory),
      DiskTotal: diskTotal,
      DiskFree: Math.min(disk.free, diskTotal),
      CpuUsage: Math.round(usage * 1000) / 1000,
      CpuCount: offer.cpus || cpus().length,
      LoadAverage: [one, five, fifteen],
      Labels: offer.labels,
      ...sampleBookStats(diskPath),
    };
  };
}

/** The sampler's stats with the host paths the worker lets tasks bind: the manager places binds by them (docs/scheduling.md). */
export function withVolumeRoots<S extends object>(sample: () => S, roots: readonly string[]): () => S & { VolumeRoots?: string[] } {
  if (roots.length === 0) return sample;
  return () => ({ ...sample(), VolumeRoots: [...roots] });
}
