// A machine's stats in the book's shape, read where the book reads them
// (/proc/meminfo, /proc/stat, /proc/loadavg, statfs), so the book's manager
// can place tasks on a Cube worker with its E-PVM. Where /proc is missing (not
// Linux), Node's os module gives what it can and the rest is 0.
import { readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { MEMINFO_KEYS, type BookCpuStats, type BookDiskStats, type BookLoadStats, type BookMemStats, type BookStats } from './shapes.js';

/** Jiffies per second as /proc/stat counts them (USER_HZ, 100 on every Linux). */
export const USER_HZ = 100;

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

function memStats(): BookMemStats {
  const stats = Object.fromEntries(Object.values(MEMINFO_KEYS).map((key) => [key, 0])) as BookMemStats;
  const text = read('/proc/meminfo');
  if (text === undefined) {
    const kB = (bytes: number) => Math.floor(bytes / 1024);
    return { ...stats, mem_total: kB(totalmem()), mem_free: kB(freemem()), mem_available: kB(freemem()) };
  }
  for (const line of text.split('\n')) {
    const match = /^([^:]+):\s+(\d+)/.exec(line);
    const key = match && MEMINFO_KEYS[match[1] as keyof typeof MEMINFO_KEYS];
    if (key) stats[key] = Number(match[2]);
  }
  return stats;
}

function cpuStats(): BookCpuStats {
  const fields = /^cpu\s+(.*)$/m
    .exec(read('/proc/stat') ?? '')?.[1]
    ?.trim()
    .split(/\s+/)
    .map(Number);
  if (fields) {
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0, guest = 0, guest_nice = 0] = fields;
    return { id: 'cpu', user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice };
  }
  const jiffies = (ms: number) => Math.round((ms * USER_HZ) / 1000);
  const sum = (pick: (t: ReturnType<typeof cpus>[number]['times']) => number) => jiffies(cpus().reduce((total, cpu) => total + pick(cpu.times), 0));
  return {
    id: 'cpu',
    user: sum((t) => t.user),
    nice: sum((t) => t.nice),
    system: sum((t) => t.sys),
    idle: sum((t) => t.idle),
    iowait: 0,
    irq: sum((t) => t.irq),
    softirq: 0,
    steal: 0,
    guest: 0,
    guest_nice: 0,
  };
}

function loadStats(): BookLoadStats {
  const match = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+)\/(\d+) (\d+)/.exec(read('/proc/loadavg') ?? '');
  if (match) {
    const [one, five, fifteen, running, total, pid] = match.slice(1).map(Number) as [number, number, number, number, number, number];
    return { last1min: one, last5min: five, last15min: fifteen, process_running: running, process_total: total, last_pid: pid };
  }
  const [one, five, fifteen] = loadavg() as [number, number, number];
  return { last1min: one, last5min: five, last15min: fifteen, process_running: 0, process_total: 0, last_pid: 0 };
}

function diskStats(path: string): BookDiskStats {
  try {
    const fs = statfsSync(path);
    const all = fs.blocks * fs.bsize;
    const free = fs.bfree * fs.bsize;
    return { all, used: all - free, free, freeInodes: fs.ffree };
  } catch {
    return { all: 0, used: 0, free: 0, freeInodes: 0 }; // a path that does not exist yet: unknown
  }
}

/** The book's stats of this machine now; the caller adds its TaskCount. */
export function sampleBookStats(diskPath: string): Omit<BookStats, 'TaskCount'> {
  return { MemStats: memStats(), DiskStats: diskStats(diskPath), CpuStats: cpuStats(), LoadStats: loadStats() };
}
