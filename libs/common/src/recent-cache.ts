export interface RecentCacheOptions {
  /** How long an entry may be used after it was set; none by default. */
  readonly maxAgeMs?: number;
  /** A monotonic clock in ms. @defaultValue performance.now */
  readonly now?: () => number;
}

/**
 * A cache of the most recently set entries: at most `capacity` of them and, with `maxAgeMs`, none
 * older than that. Setting an entry makes it the newest; the oldest go in passes from the front,
 * a sixteenth of the capacity (or of the age) at a time, so that a full cache costs no more per
 * insert than an empty one.
 *
 * Not a Map that drops its oldest key on every insert (`map.delete(map.keys().next().value)`):
 * a Map keeps deleted entries as holes until it rehashes, and each new iterator walks over the
 * holes at the front, so each such insert into a full cache costs time that grows with the
 * cache; dropping in passes keeps an insert cheap at any size.
 */
export class RecentCache<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly at: number }>();
  /** How many a capacity pass leaves: a sixteenth of the capacity below it (all, under 16). */
  private readonly keep: number;
  private readonly maxAgeMs: number;
  /** An age pass runs once the oldest entry is this old: expired entries go a batch at a time. */
  private readonly sweepAgeMs: number;
  private readonly now: () => number;
  /** When the entry at the front was set (or earlier: a delete does not move it forward). */
  private oldestAt = Infinity;

  constructor(
    readonly capacity: number,
    options: RecentCacheOptions = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
    if (options.maxAgeMs !== undefined && !(options.maxAgeMs >= 0))
      throw new RangeError(`maxAgeMs must be 0 or more, not ${options.maxAgeMs}`);
    this.keep = capacity - (capacity >> 4);
    this.maxAgeMs = options.maxAgeMs ?? Infinity;
    this.sweepAgeMs = this.maxAgeMs + this.maxAgeMs / 16;
    this.now = options.now ?? (() => performance.now());
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry's value, unless it is absent or older than `maxAgeMs`. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (now - this.oldestAt > this.sweepAgeMs) this.pass(now, 0);
    return now - entry.at > this.maxAgeMs ? undefined : entry.value;
  }

  /** Sets the entry and makes it the newest. */
  set(key: K, value: V): void {
    const now = this.now();
    this.entries.delete(key);
    if (this.entries.size === 0) this.oldestAt = now;
    this.entries.set(key, { value, at: now });
    if (this.entries.size > this.capacity) this.pass(now, this.entries.size - this.keep);
    else if (now - this.oldestAt > this.sweepAgeMs) this.pass(now, 0);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** Drops `count` entries from the front, and any expired one after them; notes the new front. */
  private pass(now: number, count: number): void {
    this.oldestAt = Infinity;
    for (const [key, entry] of this.entries) {
      if (count <= 0 && now - entry.at <= this.maxAgeMs) {
        this.oldestAt = entry.at;
        return;
      }
      this.entries.delete(key);
      count -= 1;
    }
  }
}
