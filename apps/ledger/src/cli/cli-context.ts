import { createPool, startEmbeddedPostgres, type EmbeddedPostgres, type Pool } from '#ledger/postgres';
import type { EventStore } from '#ledger/event-store';
import { kafkaConnection, type KafkaConnection } from '#ledger/kafka';
import { loadConfig, type LedgerConfig } from '../config/ledger-config';
import { openEventStore } from '../modules/event-store';

/** What an ops command runs on: the configuration and a pool on the ledger's database. */
export interface CliContext {
  readonly config: LedgerConfig;
  readonly pool: Pool;
  readonly url: string;
  /** The configured event store, opened on first use. */
  store(): Promise<EventStore>;
  /** The brokers with TLS and SASL as the service connects (null without KAFKA_BROKERS), for commands using Kafka. */
  kafka(): KafkaConnection | null;
  close(): Promise<void>;
}

/**
 * Opens the ledger's database as the service would: the server at DATABASE_URL, or the embedded
 * one in LEDGER_DATA_DIR (started here if the service is not running; refused while it is, since
 * two postmasters cannot share a data directory).
 */
export async function openCliContext(): Promise<CliContext> {
  const config = loadConfig();
  let embedded: EmbeddedPostgres | null = null;
  let url = config.DATABASE_URL;
  if (config.LEDGER_STORE === 'embedded') {
    embedded = await startEmbeddedPostgres({ dataDir: config.LEDGER_DATA_DIR, reuseRunning: true });
    url = embedded.url;
  }
  const pool = createPool(url!, { max: 4 });
  let store: EventStore | null = null;
  return {
    config,
    pool,
    url: url!,
    store: async () =>
      (store ??= await openEventStore(config.LEDGER_STORE === 'kurrentdb' ? config.KURRENTDB_URL! : url!, pool, true)),
    kafka: () => kafkaConnection(config),
    close: async () => {
      await store?.close();
      await pool.end();
      await embedded?.stop();
    },
  };
}
