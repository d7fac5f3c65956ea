import type { EventStore, FeedHead } from '#ledger/event-store';
import type { Migration, PoolClient } from '#ledger/postgres';
import type { FeedReader, Projection } from '#ledger/projections';
import { eventLeafHash } from '../leaves';
import type { PostgresTreeStore } from './postgres-tree-store';

/**
 * The tree as a projection of the global feed: each stored event becomes the next leaf, in feed
 * order, in the runner's transaction, so the leaves and the runner's checkpoint move together.
 * The tree's tables are created by `PostgresTreeStore.open`, not here (one owner of the schema).
 */
export class TreeProjection implements Projection<FeedHead> {
  readonly name = 'verifiable-log';
  readonly migrations: readonly Migration[] = [];

  constructor(private readonly tree: PostgresTreeStore) {}

  async apply(events: readonly FeedHead[], client: PoolClient): Promise<void> {
    await this.tree.appendIn(
      client,
      events.map((e) => ({ kind: 'event', sourceId: e.eventId, leafHash: eventLeafHash(e.hash) })),
    );
  }

  /** The tree is append-only evidence: a signed checkpoint would no longer hold for a rebuilt one. */
  async reset(_client: PoolClient): Promise<void> {
    throw new Error('the verifiable log is append-only and is never rebuilt');
  }
}

/** The feed the tree follows: each event's id, hash and place only, where the store can read so little. */
export const treeFeed = (store: EventStore): FeedReader<FeedHead> => ({
  read: (after, limit) => (store.readFeedHeads ? store.readFeedHeads(after, limit) : store.readFeed(after, limit)),
});
