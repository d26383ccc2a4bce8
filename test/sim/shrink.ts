// Shrinking a failing schedule: delta debugging (Zeller's ddmin) over the
// list of faults and user calls, keeping a subset only if the run still
// breaks the same invariant. The result is 1-minimal: removing any one entry
// left makes that failure go away.
import type { Mistake } from './mistakes.js';
import type { Scenario } from './schedule.js';
import { simulate, type RunResult } from './simulation.js';

export interface Shrunk {
  /** Indices into the original schedule of the entries kept. */
  keep: number[];
  result: RunResult;
  runs: number;
}

export async function shrink(scenario: Scenario, invariant: string, mistake?: Mistake): Promise<Shrunk> {
  let runs = 0;
  let last: RunResult | undefined;
  const fails = async (keep: number[]): Promise<boolean> => {
    runs++;
    const result = await simulate(subset(scenario, keep), { mistake, failFast: true });
    const broke = result.violations.some((v) => v.invariant === invariant);
    if (broke) last = result;
    return broke;
  };
  let keep = scenario.events.map((_, i) => i);
  let parts = 2;
  while (keep.length >= 2) {
    const chunks = split(keep, parts);
    let reduced = false;
    for (const chunk of chunks) {
      const complement = keep.filter((i) => !chunk.includes(i));
      if (await fails(complement)) {
        keep = complement;
        parts = Math.max(parts - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      for (const chunk of chunks) {
        if (chunk.length < keep.length && (await fails(chunk))) {
          keep = chunk;
          parts = 2;
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (parts >= keep.length) break;
      parts = Math.min(keep.length, parts * 2);
    }
  }
  if (keep.length === 1 && (await fails([]))) keep = [];
  if (!last || !(await fails(keep))) throw new Error('shrinking lost the failure: the run is not deterministic');
  return { keep, result: last, runs };
}

/** The scenario with only the schedule entries at `keep`. */
export function subset(scenario: Scenario, keep: readonly number[]): Scenario {
  const kept = new Set(keep);
  return { ...scenario, events: scenario.events.filter((_, i) => kept.has(i)) };
}

function split<T>(items: T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
