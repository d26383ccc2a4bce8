// Sizes and CPUs as Docker's CLI takes them (`docker run --memory 64m --cpus
// 0.5`): a task file may say "Memory": "64m", "Disk": "1g", "Cpu": "0.5". They
// are read into the numbers the API answers with (bytes, CPUs) before the
// task is checked, so a stored record, a worker and a listing only ever see
// numbers.

/** Docker's units: powers of 1024, b k m g t, with an optional "b" (kb, mb…), any case. */
const SIZE = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i;
const POWER: Record<string, number> = { '': 0, b: 0, k: 1, m: 2, g: 3, t: 4 };
const DECIMAL = /^\d+(?:\.\d+)?$/;

/** Bytes of a size like "64m" or "1.5g"; undefined when `text` is not one. */
export function bytesOf(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * 1024 ** POWER[match[2]!.toLowerCase()]!);
}

/** The keys a task file may write with units, and how each is read. */
const readers: Record<string, (text: string) => number | undefined> = {
  Memory: bytesOf,
  Disk: bytesOf,
  Cpu: (text) => (DECIMAL.test(text.trim()) ? Number(text.trim()) : undefined),
};

/** The task with its sizes and CPUs as numbers; a string that is not one is left for the check to refuse. */
export function withUnits(task: Record<string, unknown>): Record<string, unknown> {
  let read: Record<string, unknown> | undefined;
  for (const [key, reader] of Object.entries(readers)) {
    const value = task[key];
    if (typeof value !== 'string') continue;
    const number = reader(value);
    if (number !== undefined) (read ??= { ...task })[key] = number;
  }
  return read ?? task;
}
