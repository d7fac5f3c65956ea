import type { EventStore, StoredEvent } from '#ledger/event-store';
import { SharedFeed } from './shared-feed';

const event = (position: number) =>
  ({ eventId: `e${position}`, checkpoint: `1/${position}` }) as unknown as StoredEvent;

/** A feed that grows by one event after every read (another writer committing meanwhile). */
function growingStore() {
  const committed: StoredEvent[] = [event(1)];
  return {
    readFeed: async (_after: string | null, limit: number) => {
      const page = committed.slice(0, limit);
      committed.push(event(committed.length + 1));
      return page;
    },
  } as unknown as EventStore;
}

describe('SharedFeed', () => {
  it('shares a full page among readers, and never hands out a short page that was read before', async () => {
    const feed = new SharedFeed(growingStore(), 10_000);
    const full = await feed.read(null, 1);
    expect(await feed.read(null, 1)).toBe(full);

    const short = await feed.read(null, 5);
    expect(short.map((e) => e.eventId)).toEqual(['e1', 'e2']);
    // Read again at once: the event committed since shows (a kept short page hid it).
    expect((await feed.read(null, 5)).map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
  });

  it('shares a page that is still being read, short or not', async () => {
    const feed = new SharedFeed(growingStore(), 10_000);
    const [a, b] = await Promise.all([feed.read(null, 5), feed.read(null, 5)]);
    expect(b).toBe(a);
  });
});
