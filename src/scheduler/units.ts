// Amounts in the words a person reads: "1.5 GiB", "512 MiB", "0.5 of 2 CPUs".
// Shortage messages compare what is free with what is asked, so the pair is
// printed with enough digits that the two never read the same.

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** `n` with at most `decimals` decimals and no trailing zeros: 2, 1.5, 0.25. */
function trimmed(n: number, decimals: number): string {
  return String(Number(n.toFixed(decimals)));
}

export function formatBytes(bytes: number, decimals = 1): string {
  const size = Math.abs(bytes);
  if (size >= GiB) return `${trimmed(bytes / GiB, decimals)} GiB`;
  if (size >= MiB) return `${trimmed(bytes / MiB, decimals)} MiB`;
  if (size >= KiB) return `${trimmed(bytes / KiB, decimals)} KiB`;
  return `${trimmed(bytes, 0)} bytes`;
}

export function formatCpus(cpus: number, decimals = 2): string {
  return trimmed(cpus, decimals);
}

/**
 * Formats `a` and `b` with the fewest decimals (from `from`, up to 6) at which
 * they differ, so "has 1.5, asks 1.5" cannot happen when 1.499 is free.
 */
export function distinctPair(a: number, b: number, format: (n: number, decimals: number) => string, from: number): [string, string] {
  for (let decimals = from; decimals < 6; decimals++) {
    const pair: [string, string] = [format(a, decimals), format(b, decimals)];
    if (pair[0] !== pair[1]) return pair;
  }
  return [format(a, 6), format(b, 6)];
}
