import type { Checkpoint, EventStore, StoredEvent } from '#ledger/event-store';

/**
 * Several runners following the same feed ask for the same page within milliseconds; they share
 * one read (one query, one parse). Safe to share: a page is always a true prefix of the feed after
 * its checkpoint (committed events never change, and the store never returns past a gap). A full
 * page is final and kept a short while; a shorter one may grow with the next commit, so it is
 * shared only while it is being read: kept, it hid a fresh append for up to the TTL from a runner
 * woken by that append, which then slept until its next poll (and a POST waited for it).
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
    const forget = () => {
      if (this.pages.get(key)?.page === page) this.pages.delete(key);
    };
    page.then((events) => events.length < limit && forget(), forget);
    this.pages.set(key, { at: now, page });
    for (const [k, v] of this.pages) if (now - v.at > this.ttlMs) this.pages.delete(k);
    return page;
  }
}
