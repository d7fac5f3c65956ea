import { Logger, Module } from '@nestjs/common';
import type { EventStore } from '#ledger/event-store';
import { createPool, safeErrorSummary, setMigrationOwner, type Pool } from '#ledger/postgres';
import type { LedgerConfig } from '../config/ledger-config';
import type { DatabaseHost } from './database-host';
import { eventStoreUrl, openEventStore } from './event-store';
import { DATABASE_HOST, EVENT_STORE, LEDGER_CONFIG, POOL } from './tokens';

/** The pool on the ledger's PostgreSQL (as the runtime role) and the event store of the configured kind. */
@Module({
  providers: [
    {
      provide: POOL,
      inject: [LEDGER_CONFIG, DATABASE_HOST],
      useFactory: (config: LedgerConfig, host: DatabaseHost): Pool => {
        const logger = new Logger('ledger');
        const pool = createPool(host.url, { max: config.LEDGER_PG_POOL_SIZE }, (error) =>
          logger.warn(`idle database connection lost: ${safeErrorSummary(error)}`),
        );
        // Every component opened on this pool has its migrations applied by the owner role.
        if (host.migrationOwner) setMigrationOwner(pool, host.migrationOwner);
        return pool;
      },
    },
    {
      provide: EVENT_STORE,
      inject: [LEDGER_CONFIG, DATABASE_HOST, POOL],
      useFactory: (config: LedgerConfig, host: DatabaseHost, pool: Pool): Promise<EventStore> =>
        openEventStore(eventStoreUrl(config, host.url), pool, true),
    },
  ],
  exports: [POOL, EVENT_STORE],
})
export class StoreModule {}
