import { KurrentDbEventStore, PostgresEventStore, type EventStore } from '#ledger/event-store';
import type { Pool } from '#ledger/postgres';

/**
 * The event store a URL names: `kurrentdb://` / `esdb://` (events in KurrentDB; its envelope index
 * in the given pool's PostgreSQL), else PostgreSQL.
 */
export async function openEventStore(url: string, pool: Pool, sharesPool: boolean): Promise<EventStore> {
  if (/^(kurrentdb|esdb|kdb)(\+discover)?:\/\//.test(url)) return KurrentDbEventStore.open({ url, pool });
  return PostgresEventStore.open(sharesPool ? { url, pool } : { url });
}
