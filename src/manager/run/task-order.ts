// The order GET /tasks lists tasks in: the order the manager received them
// (SubmitTime, then ID). It does not change as tasks change state, and it is
// the same after a restart, so a page's continue token is simply the last
// position read, and a client that pages through the list while tasks come
// and go sees every task that was there all along exactly once.
//
// Kept sorted as tasks come (almost always at the end, so an insert is a
// push); a task that leaves (pruned) leaves a hole that the next read skips,
// and the holes are swept out when they are a quarter of the list.

const SEPARATOR = '\u0000';

export class TaskOrder {
  /** Sort keys (`SubmitTime` NUL `ID`), ascending. */
  private keys: string[] = [];
  /** Each task's key; a key in `keys` with no task here (or another key) is a hole. */
  private readonly of = new Map<string, string>();
  private holes = 0;

  /** Adds a task, or moves it when it came again (a pruned ID reused). */
  add(id: string, submitTime: string): void {
    const key = `${submitTime}${SEPARATOR}${id}`;
    const known = this.of.get(id);
    if (known === key) return;
    if (known !== undefined) this.holes++;
    this.of.set(id, key);
    const last = this.keys.at(-1);
    if (last === undefined || last < key) this.keys.push(key);
    else this.keys.splice(this.after(key), 0, key);
  }

  remove(id: string): void {
    if (!this.of.delete(id)) return;
    if (++this.holes > this.keys.length / 4) this.compact();
  }

  /** The tasks after position `from` (a token from `position`, or "" for the first), in order, with the position of each. */
  *from(from: string): Generator<{ id: string; position: string }> {
    // A compaction while a long list is sent makes a new array; this one stays whole.
    const keys = this.keys;
    let last = from;
    for (let i = from === '' ? 0 : this.after(from); i < keys.length; i++) {
      const key = keys[i]!;
      if (key <= last) continue; // an insert before this point shifted the rest
      last = key;
      const id = key.slice(key.indexOf(SEPARATOR) + 1);
      if (this.of.get(id) === key) yield { id, position: key };
    }
  }

  get size(): number {
    return this.of.size;
  }

  /** The index of the first key greater than `key`. */
  private after(key: string): number {
    let [low, high] = [0, this.keys.length];
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.keys[mid]! <= key) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private compact(): void {
    this.keys = this.keys.filter((key) => this.of.get(key.slice(key.indexOf(SEPARATOR) + 1)) === key);
    this.holes = 0;
  }
}

/** A continue token: a position in the order, opaque to clients. */
export const tokenOf = (position: string): string => Buffer.from(position, 'utf8').toString('base64url');

/** The position a continue token names, or undefined when it is not one this order made. */
export function positionOf(token: string): string | undefined {
  const position = Buffer.from(token, 'base64url').toString('utf8');
  return position.includes(SEPARATOR) && tokenOf(position) === token ? position : undefined;
}
