// The network between the manager and each worker machine: what the link
// does to each chunk of a connection over it (transport.ts opens them).
// Calls and event streams are TCP connections (connection.ts): a chunk is
// delayed, or lost, after which nothing more of that connection arrives.
//  - partitions cut one direction or both;
//  - chaos makes a bad link for a while: loss, long delays (the longest
//    outlast a call's limit: the call gives up, its request still arrives),
//    and requests duplicated on a second connection;
//  - a stall delays every request towards the workers past its call's
//    limit, so the next call about a task can overtake it;
//  - a lag holds a worker's event stream behind while calls stay quick.
import type { SimProcess } from './process.js';
import type { Random } from './random.js';

/** The worker machine at the other end: the process listening there now, if any. */
export interface WorkerAddress {
  listening(): SimProcess | undefined;
}

export interface LinkFaults {
  /** Packets towards the worker are dropped until then (absolute ms). */
  toWorkerCutUntil: number;
  toManagerCutUntil: number;
  /** A bad network until then: loss, duplication and long delays. */
  chaosUntil: number;
  /** Requests towards the worker sent until then arrive 10.5–25 s late: their calls give up first. */
  stallUntil: number;
  /** The event stream lags by `lagMs` until then (calls do not). */
  lagUntil: number;
  lagMs: number;
  loss: number;
  duplicate: number;
  maxDelayMs: number;
}

export class Link {
  readonly faults: LinkFaults = {
    toWorkerCutUntil: 0,
    toManagerCutUntil: 0,
    chaosUntil: 0,
    stallUntil: 0,
    lagUntil: 0,
    lagMs: 0,
    loss: 0,
    duplicate: 0,
    maxDelayMs: 0,
  };
  constructor(
    readonly worker: string,
    readonly address: WorkerAddress,
    private readonly random: Random,
  ) {}

  private cut(direction: 'toWorker' | 'toManager'): boolean {
    return Date.now() < (direction === 'toWorker' ? this.faults.toWorkerCutUntil : this.faults.toManagerCutUntil);
  }

  private chaotic(): boolean {
    return Date.now() < this.faults.chaosUntil;
  }

  /** A packet's delay; undefined when it is lost. */
  delay(direction: 'toWorker' | 'toManager'): number | undefined {
    if (this.cut(direction)) return undefined;
    if (direction === 'toWorker' && Date.now() < this.faults.stallUntil) return this.random.int(10_500, 25_000);
    if (!this.chaotic()) return this.random.int(1, 8);
    if (this.random.chance(this.faults.loss)) return undefined;
    return this.random.int(1, this.faults.maxDelayMs);
  }

  duplicates(): boolean {
    return this.chaotic() && this.random.chance(this.faults.duplicate);
  }

  /** A stream's packet: lost packets end the stream silently (the watchdog notices). */
  streamDelay(): number | undefined {
    if (this.cut('toManager')) return undefined;
    if (Date.now() < this.faults.lagUntil) return this.faults.lagMs + this.random.int(1, 8);
    return this.chaotic() ? this.random.int(1, Math.min(this.faults.maxDelayMs, 500)) : this.random.int(1, 8);
  }
}
