// The ledger's meta as a store keeps it (JSON): checked as any input is, since
// a damaged one must cost only what it says (machines/manager/ledger.ts, LedgerMeta).
import type { LedgerMeta } from '../../machines/manager/ledger.js';
import type { Log } from '../log.js';

/** The meta in `text`, or undefined (named in the log) when it is not one: then the ledger starts it again. */
export function readLedgerMeta(text: string, where: string, log: Log): LedgerMeta | undefined {
  try {
    const meta = JSON.parse(text) as LedgerMeta;
    const count = (n: unknown) => Number.isInteger(n) && (n as number) >= 0;
    const ok =
      count(meta.pruned) &&
      Array.isArray(meta.incarnations) &&
      meta.incarnations.every((i) => typeof i === 'string') &&
      typeof meta.heard === 'object' &&
      meta.heard !== null &&
      Object.values(meta.heard).every(count) &&
      (meta.volumes === undefined ||
        (typeof meta.volumes === 'object' && meta.volumes !== null && Object.values(meta.volumes).every((w) => typeof w === 'string')));
    if (ok) return meta;
  } catch {
    // named below
  }
  log(
    `${where}: the ledger's meta is not readable (${text.slice(0, 80)}); it starts again (the count of pruned tasks and this manager's earlier starts are forgotten)`,
  );
  return undefined;
}
