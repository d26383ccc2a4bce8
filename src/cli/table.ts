// Plain-text tables as docker ps and nomad status print them: a header row,
// columns left-aligned and padded to their widest cell, separated by spaces,
// no trailing spaces. Width counts characters, not UTF-16 units ("→", "…").
import { truncate } from './format.js';

const width = (text: string) => [...text].length;

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)));
}

/** Rows as aligned lines, each ending in "\n"; `gap` spaces between columns. */
export function align(rows: readonly (readonly string[])[], gap = 3): string {
  const count = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: count }, (_, i) => Math.max(...rows.map((row) => width(row[i] ?? ''))));
  const separator = ' '.repeat(gap);
  return rows
    .map(
      (row) =>
        `${widths
          .map((w, i) => pad(row[i] ?? '', w))
          .join(separator)
          .trimEnd()}\n`,
    )
    .join('');
}

/** A header row and the rows under it, aligned. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], gap = 3): string {
  return align([headers, ...rows], gap);
}

/** Tables fit this many columns, or a wider terminal (a column whose end can go is cut to fit), unless --no-trunc. */
export const TABLE_COLUMNS = 120;

/**
 * A table no wider than `columns` characters: the cells of the columns in
 * `shrink` (those whose end can go, like an image reference) are cut, ending
 * in "…", the widest of them first, until the table fits or each is down to
 * its header.
 */
export function fittedTable(headers: readonly string[], rows: readonly (readonly string[])[], columns: number, shrink: readonly number[], gap = 3): string {
  const widths = headers.map((header, i) => Math.max(width(header), ...rows.map((row) => width(row[i] ?? ''))));
  let over = widths.reduce((sum, w) => sum + w, gap * (headers.length - 1)) - columns;
  for (; over > 0; over--) {
    const cuttable = shrink.filter((i) => widths[i]! > width(headers[i] ?? ''));
    if (cuttable.length === 0) break;
    const widest = cuttable.reduce((a, b) => (widths[b]! > widths[a]! ? b : a));
    widths[widest]!--;
  }
  return table(
    headers,
    rows.map((row) => row.map((cell, i) => (shrink.includes(i) ? truncate(cell, widths[i]!) : cell))),
    gap,
  );
}

/**
 * A table cut at the columns in `shrink` to TABLE_COLUMNS, or to the width of
 * the terminal it is printed on when that is wider; whole with `full` (--no-trunc).
 */
export function screenTable(headers: readonly string[], rows: readonly (readonly string[])[], shrink: readonly number[], full: boolean): string {
  if (full) return table(headers, rows);
  const terminal = process.stdout.isTTY ? (process.stdout.columns ?? 0) : 0;
  return fittedTable(headers, rows, Math.max(TABLE_COLUMNS, terminal), shrink);
}

/** "Key   value" lines for a detail view, keys padded to the widest. */
export function fields(pairs: readonly (readonly [string, string])[], gap = 2): string {
  const keyWidth = Math.max(0, ...pairs.map(([key]) => width(key)));
  return pairs.map(([key, value]) => `${pad(key, keyWidth + gap)}${value}`.trimEnd() + '\n').join('');
}
