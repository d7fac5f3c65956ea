import { eventHash, type Checkpoint, type EventStore } from '#ledger/event-store';
import { eventLeafHash } from './leaves';
import type { RecomputedLeaf } from './postgres/tree-comparison';

/**
 * Every event of the store as the tree's leaf, in feed order, a page at a time, with its hash
 * recomputed from the event itself: a row changed without its hash, or with its stream's chain
 * recomputed, gives another leaf than the one the tree signed.
 */
export async function* eventLeavesInFeedOrder(
  store: Pick<EventStore, 'readFeed'>,
  pageSize = 2000,
): AsyncIterable<RecomputedLeaf> {
  let after: Checkpoint | null = null;
  for (;;) {
    const page = await store.readFeed(after, pageSize);
    if (page.length === 0) return;
    for (const e of page) {
      const recomputed = eventHash(e.streamId, e.revision, e, e.previousHash);
      yield { sourceId: e.eventId, leafHash: eventLeafHash(recomputed) };
    }
    after = page[page.length - 1]!.checkpoint;
  }
}
