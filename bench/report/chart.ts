// The SVG bar charts of docs/benchmarks/<name>.svg, drawn here with no
// dependencies: one bar per measurement, its single runs as dots on it, and
// an optional target as a dashed line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escape, fmt, s } from './format.js';
import { dir } from './results.js';

export interface Bar {
  label: string;
  value: number;
  color: string;
  /** Each run, drawn as dots on the bar. */
  points?: number[];
  /** Text at the end of the bar; default the value. */
  text?: string;
}

export interface Chart {
  title: string;
  subtitle: string;
  /** The axis label, e.g. "seconds". */
  unit: string;
  bars: Bar[];
  target?: { value: number; label: string };
}

export const COLORS = { cube: '#2f6fd6', raw: '#7a8599', swarm: '#d9822b', memory: '#3a9a6a', level: '#8e6bbf' };

/** A bar in seconds, from a median and its rounds in milliseconds. */
export const secondsBar = (label: string, medianMs: number, roundsMs: number[], color: string): Bar => ({
  label,
  value: medianMs / 1000,
  color,
  points: roundsMs.map((v) => v / 1000),
  text: s(medianMs),
});

/** A round step for about `count` ticks up to `max`: 1, 2 or 5 times a power of ten. */
function niceStep(max: number, count = 5): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw)!;
}

function barChart(chart: Chart): string {
  const width = 720;
  const left = 170;
  const right = 110;
  const top = chart.target ? 86 : 64;
  const barHeight = 30;
  const gap = 14;
  const plotWidth = width - left - right;
  const plotHeight = chart.bars.length * (barHeight + gap) - gap;
  const height = top + plotHeight + 52;
  const highest = Math.max(...chart.bars.flatMap((b) => [b.value, ...(b.points ?? [])]), chart.target?.value ?? 0);
  const step = niceStep(highest * 1.05);
  const max = Math.ceil((highest * 1.05) / step) * step;
  const x = (v: number) => left + (v / max) * plotWidth;
  const digits = step < 1 ? 1 : 0;

  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="16" y="26" font-size="16" font-weight="600" fill="#1d2433">${escape(chart.title)}</text>`);
  parts.push(`<text x="16" y="46" font-size="12" fill="#5b6475">${escape(chart.subtitle)}</text>`);
  for (let v = 0; v <= max + step / 1000; v += step) {
    parts.push(`<line x1="${x(v).toFixed(1)}" y1="${top - 6}" x2="${x(v).toFixed(1)}" y2="${top + plotHeight + 6}" stroke="#e4e7ec" stroke-width="1"/>`);
    parts.push(`<text x="${x(v).toFixed(1)}" y="${top + plotHeight + 22}" font-size="11" fill="#5b6475" text-anchor="middle">${fmt(v, digits)}</text>`);
  }
  parts.push(`<text x="${left + plotWidth / 2}" y="${top + plotHeight + 42}" font-size="11" fill="#5b6475" text-anchor="middle">${escape(chart.unit)}</text>`);
  chart.bars.forEach((bar, i) => {
    const y = top + i * (barHeight + gap);
    parts.push(`<text x="${left - 10}" y="${y + barHeight / 2 + 4}" font-size="13" fill="#1d2433" text-anchor="end">${escape(bar.label)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(bar.value) - left).toFixed(1)}" height="${barHeight}" rx="3" fill="${bar.color}"/>`);
    for (const point of bar.points ?? []) {
      parts.push(`<circle cx="${x(point).toFixed(1)}" cy="${y + barHeight / 2}" r="3" fill="#ffffff" stroke="#1d2433" stroke-width="1.2" opacity="0.85"/>`);
    }
    const end = Math.max(x(bar.value), ...(bar.points ?? []).map(x));
    parts.push(
      `<text x="${(end + 8).toFixed(1)}" y="${y + barHeight / 2 + 4}" font-size="12" font-weight="600" fill="#1d2433">${escape(bar.text ?? fmt(bar.value))}</text>`,
    );
  });
  if (chart.target) {
    const tx = x(chart.target.value).toFixed(1);
    parts.push(`<line x1="${tx}" y1="${top - 10}" x2="${tx}" y2="${top + plotHeight + 6}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="5 4"/>`);
    parts.push(`<text x="${tx}" y="${top - 14}" font-size="11" fill="#c0392b" text-anchor="middle">${escape(chart.target.label)}</text>`);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" role="img" aria-label="${escape(chart.title)}">\n` +
    `<title>${escape(chart.title)}</title>\n${parts.join('\n')}\n</svg>\n`
  );
}

/** Writes the chart beside the results and answers the Markdown that shows it. */
export function writeChart(name: string, chart: Chart): string {
  writeFileSync(join(dir, `${name}.svg`), barChart(chart));
  return `![${chart.title}](benchmarks/${name}.svg)`;
}
