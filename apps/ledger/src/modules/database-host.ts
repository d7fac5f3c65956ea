import { startEmbeddedPostgres } from '#ledger/postgres';
import type { LedgerConfig } from '../config/ledger-config';

/** The PostgreSQL the ledger's tables live in: a server the service started, or DATABASE_URL's. */
export interface DatabaseHost {
  readonly url: string;
  /** What start-up tells ops about it, or null. */
  readonly note: string | null;
  stop(): Promise<void>;
}

type StoreKind = LedgerConfig['LEDGER_STORE'];

const external = async (config: LedgerConfig): Promise<DatabaseHost> => ({
  url: config.DATABASE_URL!,
  note: null,
  stop: async () => undefined,
});

/**
 * One way to reach the database per store kind. The embedded server is a child process the service
 * owns, so it is started before the application and stopped after it, even when start-up fails.
 * KurrentDB keeps the events; keys, the ref index and read models stay in PostgreSQL.
 */
const HOSTS: Record<StoreKind, (config: LedgerConfig) => Promise<DatabaseHost>> = {
  embedded: async (config) => {
    const server = await startEmbeddedPostgres({ dataDir: config.LEDGER_DATA_DIR });
    return {
      url: server.url,
      note: `embedded PostgreSQL running on 127.0.0.1:${server.port} (data in ${config.LEDGER_DATA_DIR}/postgres)`,
      stop: () => server.stop(),
    };
  },
  postgres: external,
  kurrentdb: external,
};

export const openDatabaseHost = (config: LedgerConfig): Promise<DatabaseHost> => HOSTS[config.LEDGER_STORE](config);
