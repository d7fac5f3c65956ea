import {
  createPool,
  grantRuntimeLocked,
  prepareEmbeddedLedgerRoles,
  setMigrationOwner,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type Pool,
} from '#ledger/postgres';
import type { EventStore } from '#ledger/event-store';
import { kafkaConnection, type KafkaConnection } from '#ledger/kafka';
import { loadConfig, type LedgerConfig } from '../config/ledger-config';
import { roleOf } from '../modules/database-host';
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

interface OpsDatabase {
  readonly url: string;
  readonly runtimeRole: string | null;
  readonly embedded: EmbeddedPostgres | null;
}

/**
 * Ops commands connect as the role that owns the tables (a rebuild creates and swaps tables), and
 * grant the runtime role its privileges on what they create: the embedded server's owner role, or
 * DATABASE_OWNER_URL's, else DATABASE_URL's as the service without an owner does.
 */
async function opsDatabase(config: LedgerConfig): Promise<OpsDatabase> {
  if (config.LEDGER_STORE === 'embedded') {
    const embedded = await startEmbeddedPostgres({ dataDir: config.LEDGER_DATA_DIR, reuseRunning: true });
    try {
      const roles = await prepareEmbeddedLedgerRoles(embedded.url, config.LEDGER_DATA_DIR);
      return { url: roles.ownerUrl, runtimeRole: roles.runtime, embedded };
    } catch (error) {
      await embedded.stop();
      throw error;
    }
  }
  if (config.DATABASE_OWNER_URL) {
    const runtimeRole = await roleOf(config.DATABASE_URL!);
    // One role in both URLs is no runtime role to grant to (the service then runs as the owner).
    const distinct = (await roleOf(config.DATABASE_OWNER_URL)) !== runtimeRole;
    return { url: config.DATABASE_OWNER_URL, runtimeRole: distinct ? runtimeRole : null, embedded: null };
  }
  return { url: config.DATABASE_URL!, runtimeRole: null, embedded: null };
}

/**
 * Opens the ledger's database as the service would: the server at DATABASE_URL, or the embedded
 * one in LEDGER_DATA_DIR (started here if the service is not running; refused while it is, since
 * two postmasters cannot share a data directory).
 */
export async function openCliContext(): Promise<CliContext> {
  const config = loadConfig();
  const { url, runtimeRole, embedded } = await opsDatabase(config);
  const pool = createPool(url, { max: 4 });
  if (runtimeRole) {
    setMigrationOwner(pool, { pool, runtimeRole });
    await grantRuntimeLocked(pool, runtimeRole).catch(async (error: unknown) => {
      await pool.end();
      await embedded?.stop();
      throw error;
    });
  }
  let store: EventStore | null = null;
  return {
    config,
    pool,
    url,
    store: async () =>
      (store ??= await openEventStore(config.LEDGER_STORE === 'kurrentdb' ? config.KURRENTDB_URL! : url, pool, true)),
    kafka: () => kafkaConnection(config),
    close: async () => {
      await store?.close();
      await pool.end();
      await embedded?.stop();
    },
  };
}
