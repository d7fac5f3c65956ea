/**
 * Lookups made in the same turn of the event loop share one query: concurrent reads (32 auditors'
 * GETs at once) cost one statement and one round trip instead of one each. Nothing is cached: a
 * lookup made after a batch has been sent goes in the next batch and sees the newer data.
 */
export class BatchLoader<K, V> {
  private waiting = new Map<K, Array<{ resolve: (value: V | undefined) => void; reject: (error: unknown) => void }>>();
  private scheduled = false;

  /**
   * @param loadMany loads these keys; a key missing from the result is absent (undefined).
   * @param maxBatch the most keys one call gets; the rest go in further calls.
   */
  constructor(
    private readonly loadMany: (keys: K[]) => Promise<ReadonlyMap<K, V>>,
    private readonly maxBatch = 500,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every request parsed in it has asked by then.
        setImmediate(() => this.dispatch());
      }
    });
  }

  private dispatch(): void {
    const batch = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += this.maxBatch) {
      const part = keys.slice(start, start + this.maxBatch);
      Promise.resolve(part)
        .then((k) => this.loadMany(k))
        .then(
          (found) => part.forEach((key) => batch.get(key)!.forEach((w) => w.resolve(found.get(key)))),
          (error: unknown) => part.forEach((key) => batch.get(key)!.forEach((w) => w.reject(error))),
        );
    }
  }
}
