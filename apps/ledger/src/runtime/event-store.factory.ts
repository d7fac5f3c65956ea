import { PostgresEventStore, type EventStore } from '#ledger/event-store';
import type { Pool } from '#ledger/postgres';

/**
 * The event store a URL names: `kurrentdb://` / `esdb://` (events in KurrentDB; its envelope index
 * in the given pool's PostgreSQL), else PostgreSQL. The KurrentDB adapter and its client (gRPC,
 * protobuf) are loaded only when named: loaded always, they held 40-70 MB more of the service's
 * peak RSS on PostgreSQL (375-399 MB against 429-469 ingesting from Kafka, alternating runs).
 */
export async function openEventStore(url: string, pool: Pool, sharesPool: boolean): Promise<EventStore> {
  if (/^(kurrentdb|esdb|kdb)(\+discover)?:\/\//.test(url)) {
    const { KurrentDbEventStore } = await import('#ledger/kurrentdb');
    return KurrentDbEventStore.open({ url, pool });
  }
  return PostgresEventStore.open(sharesPool ? { url, pool } : { url });
}
