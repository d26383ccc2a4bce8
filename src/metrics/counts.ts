// A gauge of how many things are in each of a known set of kinds (tasks by
// state, workers by liveness), set at scrape time: every kind has a series,
// 0 when none is in it, so an alert on `== 0` or `> 0` sees it from the start.
import type { Gauge } from 'prom-client';

/** Sets `gauge` to the number of `values` of each of `kinds` under `label`, plus `more` of some. */
export function setCounts<K extends string>(
  gauge: Gauge<string>,
  label: string,
  kinds: readonly K[],
  values: Iterable<K>,
  more: Partial<Record<K, number>> = {},
): void {
  const counts = new Map<string, number>(kinds.map((kind) => [kind, more[kind] ?? 0]));
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  gauge.reset();
  for (const [kind, count] of counts) gauge.set({ [label]: kind }, count);
}
