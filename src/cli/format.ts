// Human formatting for the client commands: times ("12s ago"), amounts
// ("23.5 GiB"); ports ("80/tcp→49155") and state labels come from
// src/ui/words.js, which the live view shares. Pure functions, so the tables
// and messages built from them can be unit-tested.
import { ZERO_TIME, type Task } from '../vocabulary/task.js';

/** True for "", Go's zero time and anything that is not a date. */
export function isZeroTime(iso: string | null | undefined): boolean {
  if (!iso || iso === ZERO_TIME) return true;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || ms <= Date.parse(ZERO_TIME);
}

/** A span in its largest whole unit: 12s, 5m, 3h, 2d. */
export function shortSpan(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** "12s ago", "5m ago", "3h ago", "2d ago"; "just now" within a second; "-" for no time. */
export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (isZeroTime(iso)) return '-';
  const delta = now - Date.parse(iso!);
  if (Math.abs(delta) < 1000) return 'just now';
  // A manager whose clock is ahead of ours: say so rather than "-3s ago".
  return delta < 0 ? `in ${shortSpan(delta)}` : `${shortSpan(delta)} ago`;
}

/** Elapsed seconds for a live line: "0.4s", "12s", "2m05s". */
export function elapsed(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

function scale(bytes: number): { value: number; unit: string } {
  let value = Math.max(0, bytes);
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return { value, unit: units[i]! };
}

/** One decimal below 100 (without a trailing .0), whole numbers above. */
const number = (value: number, unit: string) => (unit === 'B' || value >= 100 ? String(Math.round(value)) : String(Number(value.toFixed(1))));

/** 512 B, 1.5 KiB, 23.5 GiB. */
export function bytes(n: number): string {
  const { value, unit } = scale(n);
  return `${number(value, unit)} ${unit}`;
}

/** "part/total" in one unit when they share it ("2.1/23.5 GiB"), else each with its own; "-" when the total is unknown (0). */
export function bytesOf(part: number, total: number): string {
  if (!(total > 0)) return '-';
  const a = scale(part);
  const b = scale(total);
  if (a.unit === b.unit) return `${number(a.value, a.unit)}/${number(b.value, b.unit)} ${b.unit}`;
  return `${bytes(part)}/${bytes(total)}`;
}

/** CPU use as "12% of 2 cores"; "-" when the core count is unknown. `usage` is a fraction of all cores. */
export function cpuOf(usage: number, cores: number): string {
  if (!(cores > 0)) return '-';
  return `${Math.round(usage * 100)}% of ${cores} ${cores === 1 ? 'core' : 'cores'}`;
}

/** What a task asks for: "0.5 CPU, 64 MiB memory"; "-" when nothing. */
export function resources(task: Pick<Task, 'Cpu' | 'Memory' | 'Disk'>): string {
  const parts: string[] = [];
  if (task.Cpu > 0) parts.push(`${Number(task.Cpu.toFixed(3))} CPU`);
  if (task.Memory > 0) parts.push(`${bytes(task.Memory)} memory`);
  if (task.Disk > 0) parts.push(`${bytes(task.Disk)} disk`);
  return parts.length ? parts.join(', ') : '-';
}

export { ports, stateLabel } from '../ui/words.js';

/** The first 12 characters of a container id, as docker ps shows it; "-" for none. */
export function shortContainer(id: string | null | undefined): string {
  return id ? id.slice(0, 12) : '-';
}

/**
 * The last group of an ID (`000000000003` of `6be4cb6b-61d1-40cb-bc7b-000000000003`):
 * a service's copies share the start of their IDs (the service's UUID), so
 * this is what tells them apart; the whole ID when it has no "-".
 */
export const idEnd = (id: string) => id.slice(id.lastIndexOf('-') + 1);

/**
 * A task's ID as tables show it, 12 characters as docker ps shows IDs: its
 * start, or for a service's copy (whose IDs all start with the service's) its
 * last group. Either names the task again (src/cli/resolve.ts).
 */
export const shortId = (task: Pick<Task, 'ID' | 'Service'>) => (task.Service ? idEnd(task.ID) : task.ID.slice(0, 12));

/** Cuts `text` to `width` characters, ending with "…" when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** "12:49:15" in local time, for lines printed as things happen. */
export function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
