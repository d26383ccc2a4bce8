// @ts-check
// Times and counts as the live view writes them: ages ("3m 12s"), clock
// times to the millisecond (a task's transitions are often milliseconds
// apart), and "1 task" or "2 tasks".

/** Go's zero time: what the manager sends for a time that has not come (a task not started yet). */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** @param {string | null | undefined} time */
const isSet = (time) => Boolean(time) && time !== ZERO_TIME;

/** @param {string | null | undefined} time */
export function age(time, now = Date.now()) {
  if (!isSet(time)) return '—';
  let s = Math.max(0, Math.floor((now - Date.parse(/** @type {string} */ (time))) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  s %= 60;
  if (m < 60) return `${m}m ${s}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** @param {number} n */
const pad = (n, w = 2) => String(n).padStart(w, '0');

/** @param {string} time */
export function clock(time) {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return '';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** @param {string} time */
export function when(time) {
  if (!isSet(time)) return '—';
  const d = new Date(time);
  const today = new Date().toDateString() === d.toDateString();
  return `${today ? '' : `${d.toLocaleDateString()} `}${clock(time)} (${age(time)} ago)`;
}

/** "1 task", "2 tasks". @param {number} n @param {string} noun */
export const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Bytes as a person reads them: "512 MiB", "3.8 GiB". @param {number} n */
export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
