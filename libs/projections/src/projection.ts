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
