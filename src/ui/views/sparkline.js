// @ts-check
// A small line chart of a worker's stat over the last minutes, with its
// latest value in words: an inline SVG, drawn from the samples the page read
// (no chart library: the page loads nothing it does not need).
import { el } from '../dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 240;
const HEIGHT = 44;

/**
 * @param {string} label what it measures
 * @param {{ at: number, value: number }[]} points oldest first
 * @param {number} max the top of the chart (at least the highest value)
 * @param {(value: number) => string} format the latest value in words
 * @param {string} stat its name, for tests: .sparkline[data-stat][data-points]
 */
export function sparkline(label, points, max, format, stat) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('aria-hidden', 'true');
  const top = Math.max(max, ...points.map((p) => p.value), Number.EPSILON);
  const first = points[0]?.at ?? 0;
  const span = Math.max((points.at(-1)?.at ?? 0) - first, 1);
  const xy = points.map((p) => `${(((p.at - first) / span) * WIDTH).toFixed(1)},${(HEIGHT - 2 - (p.value / top) * (HEIGHT - 4)).toFixed(1)}`);
  const line = document.createElementNS(SVG, points.length > 1 ? 'polyline' : 'circle');
  if (points.length > 1) line.setAttribute('points', xy.join(' '));
  else if (xy[0]) {
    const [x, y] = xy[0].split(',');
    line.setAttribute('cx', String(Math.min(Number(x), WIDTH - 3)));
    line.setAttribute('cy', String(y));
    line.setAttribute('r', '2.5');
  }
  svg.append(line);
  const latest = points.at(-1);
  return el(
    'figure',
    { class: 'sparkline', 'data-stat': stat, 'data-points': String(points.length) },
    el('figcaption', {}, el('span', { text: label }), el('span', { class: 'mono', text: latest ? format(latest.value) : '—' })),
    svg,
  );
}
