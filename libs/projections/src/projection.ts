import type { FeedHead, StoredEvent } from '#ledger/event-store';
import type { Migration, PoolClient } from '#ledger/postgres';

/**
 * A read model fed by the global feed. `apply` writes inside the runner's transaction, which
 * also moves the projection's checkpoint: a batch is applied exactly once, crash or not.
 */
export interface Projection<T extends FeedHead = StoredEvent> {
  readonly name: string;
  readonly migrations: readonly Migration[];
  apply(events: readonly T[], client: PoolClient): Promise<void>;
  /** Empties the read model before a rebuild from position 0. */
  reset(client: PoolClient): Promise<void>;
}

/**
 * A projection kept in one table that can be rebuilt beside the live one (`rebuildProjection`):
 * into a shadow table of the same shape, written once from whole streams, indexed afterwards,
 * then put in the live table's place. `PostgresDocumentProjection` is one for any declaration.
 */
export interface RebuildableProjection extends Projection {
  readonly table: string;
  /** The same projection written into another table of the same shape. */
  withTable(table: string): RebuildableProjection;
  /** Whole streams into an empty table: each row folded from nothing and inserted once. */
  applyFresh(events: readonly StoredEvent[], client: PoolClient): Promise<void>;
  /** Creates the table afresh, without indexes: a rebuild fills it first. */
  createTable(client: PoolClient): Promise<void>;
  createIndexes(client: PoolClient): Promise<void>;
  /** Puts this table, indexes and all, in the place of `liveTable`; inside the caller's transaction. */
  replace(client: PoolClient, liveTable: string): Promise<void>;
}
