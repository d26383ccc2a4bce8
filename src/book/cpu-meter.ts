// CPU use and CPU count of a book worker, from the jiffies of its /stats.
// The book's stats have no CPU count, and Cube's filter and E-PVM need one:
// /proc/stat counts USER_HZ jiffies per second per CPU, so the jiffies that
// pass between two answers, over the seconds between them, count the CPUs.
// The book's worker refreshes its stats every 15 s and answers the same ones
// meanwhile, so an unchanged sample is skipped, and the count is taken over a
// window of samples: the longer it is, the less the timing of one answer matters.
import { USER_HZ } from './proc-stats.js';
import type { BookCpuStats } from './shapes.js';

const WINDOW_MS = 30_000;
/** Shorter spans than this give no count: one answer's delay would weigh too much. */
const MIN_SPAN_MS = 500;

interface Sample {
  at: number;
  busy: number;
  total: number;
}

export interface CpuReading {
  /** Share of all CPUs busy between the last two distinct samples, 0…1 (the book's formula). */
  usage: number;
  /** 0 until two samples far enough apart have been seen. */
  count: number;
}

export class CpuMeter {
  private samples: Sample[] = [];
  private reading: CpuReading = { usage: 0, count: 0 };

  /** Takes the jiffies a worker answered at `at` (ms); returns what they say so far. */
  read(cpu: BookCpuStats, at: number): CpuReading {
    const idle = cpu.idle + cpu.iowait;
    const busy = cpu.user + cpu.nice + cpu.system + cpu.irq + cpu.softirq + cpu.steal;
    const sample = { at, busy, total: busy + idle };
    const last = this.samples.at(-1);
    if (last && sample.total === last.total) return this.reading; // the same stats again
    if (last && (sample.total < last.total || sample.busy < last.busy)) this.samples = []; // counters went back: another boot or another machine
    const previous = this.samples.at(-1);
    this.samples.push(sample);
    this.samples = this.samples.filter((s, i) => i >= this.samples.length - 2 || at - s.at <= WINDOW_MS);
    if (!previous) return (this.reading = { usage: 0, count: 0 });
    const usage = (sample.busy - previous.busy) / (sample.total - previous.total);
    const first = this.samples[0]!;
    const span = sample.at - first.at;
    const count = span >= MIN_SPAN_MS ? Math.max(1, Math.round((sample.total - first.total) / ((span / 1000) * USER_HZ))) : this.reading.count;
    return (this.reading = { usage: Math.round(usage * 1000) / 1000, count });
  }
}
