import type { Checkpoint, EventStore, StoredEvent } from '#ledger/event-store';

/**
 * Several runners following the same feed ask for the same page within milliseconds; they share
 * one read (one query, one parse). Safe to share: a page is always a true prefix of the feed after
 * its checkpoint (committed events never change, and the store never returns past a gap), at worst
 * shorter than a fresh read would be.
 */
export class SharedFeed {
  private readonly pages = new Map<string, { at: number; page: Promise<StoredEvent[]> }>();

  constructor(
    private readonly store: EventStore,
    private readonly ttlMs = 250,
  ) {}

  read(after: Checkpoint | null, limit: number): Promise<StoredEvent[]> {
    const key = `${after}|${limit}`;
    const now = Date.now();
    const hit = this.pages.get(key);
    if (hit && now - hit.at <= this.ttlMs) return hit.page;
    const page = this.store.readFeed(after, limit);
    page.catch(() => this.pages.delete(key));
    this.pages.set(key, { at: now, page });
    for (const [k, v] of this.pages) if (now - v.at > this.ttlMs) this.pages.delete(k);
    return page;
  }
}
