// How the report writes numbers, times and verdicts, the same in every section.
import type { Json } from './results.js';

export const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const yes = (met: boolean) => (met ? '✅ met' : '❌ missed');
export const when = (result: Json) => `measured ${String(result.at).slice(0, 16).replace('T', ' ')} UTC`;
export const ms = (n: number) => `${fmt(n, n < 100 ? 1 : 0)} ms`;
export const s = (n: number) => `${fmt(n / 1000, 2)} s`;
