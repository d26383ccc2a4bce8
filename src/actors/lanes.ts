// Work kept in order per key: each task's calls (to Docker, to a worker, a
// user's commands) run one after another, while different tasks' run side by
// side. A failure ends only its own work: the next in the lane runs all the
// same (its caller heard why through the promise it got).

export class Lanes {
  /** The last work of each busy key, settled either way; a key is gone once its lane is empty. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once everything queued before it under `key` is done; resolves or rejects as `work` does. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every lane is empty, including work queued meanwhile. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
