import { createPool, startEmbeddedPostgres, type EmbeddedPostgres, type Pool } from '#ledger/postgres';
import { loadConfig, type LedgerConfig } from '../config/ledger-config';

/** What an ops command runs on: the configuration and a pool on the ledger's database. */
export interface CliContext {
  readonly config: LedgerConfig;
  readonly pool: Pool;
  readonly url: string;
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
  return {
    config,
    pool,
    url: url!,
    close: async () => {
      await pool.end();
      await embedded?.stop();
    },
  };
}
