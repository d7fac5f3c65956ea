import { Logger } from '@nestjs/common';
import { PostgresEventStore, type EventStore } from '#ledger/event-store';
import { pgErrorOf, type Pool } from '#ledger/postgres';
import type { LedgerConfig } from '../config/ledger-config';

/**
 * The event store a URL names: `kurrentdb://` / `esdb://` (events in KurrentDB; its envelope index
 * in the given pool's PostgreSQL), else PostgreSQL. The KurrentDB adapter and its gRPC client are
 * loaded only when named, since loading them always costs a PostgreSQL deployment memory.
 */
export async function openEventStore(url: string, pool: Pool, sharesPool: boolean): Promise<EventStore> {
  if (/^(kurrentdb|esdb|kdb)(\+discover)?:\/\//.test(url)) {
    const { KurrentDbEventStore } = await import('#ledger/kurrentdb');
    return KurrentDbEventStore.open({ url, pool });
  }
  const logger = new Logger('EventStore');
  // The code only: the index's work names no person, but a driver's message may quote a value.
  const onIdIndexFault = (error: unknown) =>
    logger.warn(
      `event-id index: a seal or filter build failed (${pgErrorOf(error).code ?? 'no SQLSTATE'}); ` +
        'the next append retries it',
    );
  return PostgresEventStore.open(sharesPool ? { url, pool, onIdIndexFault } : { url, onIdIndexFault });
}

/** Where each store kind keeps its events: in the ledger's PostgreSQL, or in KurrentDB. */
const EVENTS_URL: Record<LedgerConfig['LEDGER_STORE'], (config: LedgerConfig, databaseUrl: string) => string> = {
  embedded: (_, databaseUrl) => databaseUrl,
  postgres: (_, databaseUrl) => databaseUrl,
  kurrentdb: (config) => config.KURRENTDB_URL!,
};

export const eventStoreUrl = (config: LedgerConfig, databaseUrl: string): string =>
  EVENTS_URL[config.LEDGER_STORE](config, databaseUrl);

/** Whether the events live in the ledger's PostgreSQL (a state read then learns a revision in its own statement). */
export const eventsInDatabase = (config: LedgerConfig): boolean => config.LEDGER_STORE !== 'kurrentdb';
