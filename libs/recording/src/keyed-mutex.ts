/**
 * In-process locks by key. Writers in one instance queue per subject instead of racing into
 * optimistic-concurrency retries; across instances the store's revision check still decides.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Locks every key (in sorted order, so two callers cannot deadlock); returns the release. */
  async lockAll(keys: Iterable<string>): Promise<() => void> {
    const releases: Array<() => void> = [];
    for (const key of [...new Set(keys)].sort()) releases.push(await this.lock(key));
    return () => releases.forEach((release) => release());
  }

  private async lock(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
