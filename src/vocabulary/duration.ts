// Durations as people write them (docs/spec.md §5): "250ms", "10s", "5m", "1h",
// or combined like "1m30s". A bare "0" means no delay.

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  let total = 0;
  part.lastIndex = 0;
  while (part.lastIndex < trimmed.length) {
    const start = part.lastIndex;
    const match = part.exec(trimmed);
    if (!match || match.index !== start) return undefined;
    total += Number(match[1]) * units[match[2]!]!;
  }
  return trimmed.length > 0 ? Math.round(total) : undefined;
}

/** The inverse, for help text and messages: 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms / 1000;
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
