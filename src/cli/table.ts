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

/**
 * A table no wider than `columns` characters: the cells of column `shrink`
 * (one whose end can go, like an image reference) are cut, ending in "…",
 * to what the other columns leave of the width (never below its header).
 */
export function fittedTable(headers: readonly string[], rows: readonly (readonly string[])[], columns: number, shrink: number, gap = 3): string {
  const others = headers.reduce((sum, header, i) => (i === shrink ? sum : sum + Math.max(width(header), ...rows.map((row) => width(row[i] ?? '')))), 0);
  const room = Math.max(width(headers[shrink] ?? ''), columns - others - gap * (headers.length - 1));
  return table(
    headers,
    rows.map((row) => row.map((cell, i) => (i === shrink ? truncate(cell, room) : cell))),
    gap,
  );
}

/** "Key   value" lines for a detail view, keys padded to the widest. */
export function fields(pairs: readonly (readonly [string, string])[], gap = 2): string {
  const keyWidth = Math.max(0, ...pairs.map(([key]) => width(key)));
  return pairs.map(([key, value]) => `${pad(key, keyWidth + gap)}${value}`.trimEnd() + '\n').join('');
}
