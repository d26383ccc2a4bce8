// The run's history in short lines: simulated time, who, what. The same seed
// gives the same lines, byte for byte (sim.test.ts checks it), so a failing
// seed's trace is what `npm run sim -- --seed N` prints again.
import { EPOCH } from './clock.js';

export interface TraceLine {
  /** Milliseconds since the run began. */
  at: number;
  actor: string;
  text: string;
}

export class Trace {
  readonly lines: TraceLine[] = [];

  constructor(private readonly now: () => number) {}

  add(actor: string, text: string): void {
    this.lines.push({ at: this.now() - EPOCH, actor, text });
  }

  /** The trace as text; `filter` keeps the lines of interest (faults, user calls, violations). */
  format(filter: (line: TraceLine) => boolean = () => true): string {
    return this.lines.filter(filter).map(formatLine).join('\n');
  }
}

export const formatLine = (line: TraceLine): string => `${(line.at / 1000).toFixed(3).padStart(9)}s  ${line.actor.padEnd(10)} ${line.text}`;
