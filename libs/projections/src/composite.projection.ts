import type { StoredEvent } from '#ledger/event-store';
import type { Migration, PoolClient } from '#ledger/postgres';
import type { Projection } from './projection';

/**
 * Several projections fed by one read of the feed, in one transaction, under one checkpoint:
 * for a cheap one that rides along with another (the shredding safety net with the subject
 * state) instead of paying a feed read and a transaction of its own.
 */
export class CompositeProjection implements Projection {
  readonly migrations: readonly Migration[];

  constructor(
    readonly name: string,
    private readonly parts: readonly Projection[],
  ) {
    this.migrations = parts.flatMap((p) => p.migrations);
  }

  async apply(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    for (const part of this.parts) await part.apply(events, client);
  }

  async reset(client: PoolClient): Promise<void> {
    for (const part of this.parts) await part.reset(client);
  }
}
