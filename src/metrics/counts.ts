// A gauge of how many things are in each of a known set of kinds (tasks by
// state, workers by liveness), set at scrape time: every kind has a series,
// 0 when none is in it, so an alert on `== 0` or `> 0` sees it from the start.
import { Gauge, type Registry } from 'prom-client';

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

/** What a counts gauge shows at a scrape: the kind of each thing, and counts to add; undefined for no series at all. */
export type Counted<K extends string> = { values: Iterable<K>; more?: Partial<Record<K, number>> } | undefined;

/** Registers a gauge of how many things are of each of `kinds`, read by `read` at each scrape. */
export function countsGauge<K extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: string,
  kinds: readonly K[],
  read: () => Counted<K>,
): void {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      const now = read();
      if (now) setCounts(this, label, kinds, now.values, now.more);
      else this.reset();
    },
  });
}
