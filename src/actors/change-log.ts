// The newest changes an actor reported, by version, so a stream that broke
// can resume where it stopped (GET /events?since=N) instead of starting over,
// like a Kubernetes watch from a resourceVersion. It keeps a fixed number of
// changes; a reader that fell further behind is told to list again.

export class ChangeLog<T> {
  private readonly items: { version: number; item: T }[] = [];
  private start = 0;
  /** The version of the newest change no longer kept: a reader at or past it can resume. */
  private dropped: number;

  /**
   * `from` is the version the log starts at: a reader of an earlier start of
   * the process (its versions are below it) lists again, for what changed
   * meanwhile is not here.
   */
  constructor(
    private readonly capacity: number,
    from = 0,
  ) {
    this.dropped = from;
  }

  add(version: number, item: T): void {
    if (this.items.length < this.capacity) {
      this.items.push({ version, item });
      return;
    }
    this.dropped = this.items[this.start]!.version;
    this.items[this.start] = { version, item };
    this.start = (this.start + 1) % this.capacity;
  }

  /** The changes after `version`, oldest first; undefined when some of them are no longer kept. */
  since(version: number): T[] | undefined {
    if (version < this.dropped) return undefined;
    const ordered = [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
    return ordered.filter((entry) => entry.version > version).map((entry) => entry.item);
  }

  /** The oldest version a reader can resume from. */
  oldest(): number {
    return this.dropped;
  }
}
