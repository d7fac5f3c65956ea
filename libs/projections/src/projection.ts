import type { StoredEvent } from '#ledger/event-store';
import type { Migration, PoolClient } from '#ledger/postgres';

/**
 * A read model fed by the global feed. `apply` writes inside the runner's transaction, which
 * also moves the projection's checkpoint: a batch is applied exactly once, crash or not.
 */
export interface Projection {
  readonly name: string;
  readonly migrations: readonly Migration[];
  apply(events: readonly StoredEvent[], client: PoolClient): Promise<void>;
  /** Empties the read model before a rebuild from position 0. */
  reset(client: PoolClient): Promise<void>;
}

/**
 * A projection that can be rebuilt beside the live one: into a shadow table without indexes,
 * written row by row once from whole streams, indexed afterwards, then swapped in.
 */
export interface RebuildableProjection extends Projection {
  readonly table: string;
  withTable(table: string): RebuildableProjection;
  /** The SQL that creates the read model's table under a given name, and then its indexes. */
  ddl(table: string): { readonly create: string; readonly index: string };
  renameIndexes(client: PoolClient, from: string, to: string): Promise<void>;
  /** Applies whole streams to an empty table: plain inserts, each row once. */
  applyFresh(events: readonly StoredEvent[], client: PoolClient): Promise<void>;
}
