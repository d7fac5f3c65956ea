import { Client } from 'pg';
import {
  createPool,
  grantRuntimeLocked,
  prepareEmbeddedLedgerRoles,
  retireMigrationOwner,
  startEmbeddedPostgres,
  type MigrationOwner,
} from '#ledger/postgres';
import type { LedgerConfig } from '../config/ledger-config';

/** The PostgreSQL the ledger's tables live in: a server the service started, or DATABASE_URL's. */
export interface DatabaseHost {
  /** What the service connects as: the runtime role, when there is an owner to migrate. */
  readonly url: string;
  /** What start-up tells ops about it, or null. */
  readonly note: string | null;
  /** Who applies the migrations while the service is built, or null: the role of `url` does. */
  readonly migrationOwner: MigrationOwner | null;
  /** Closes the owner's connections once the service is built: the service runs on `url` alone. */
  endMigrations(): Promise<void>;
  stop(): Promise<void>;
}

type StoreKind = LedgerConfig['LEDGER_STORE'];

/** The role a URL logs in as (the server's answer, since the URL may leave it to PGUSER). */
export async function roleOf(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role;
  } finally {
    await client.end();
  }
}

/**
 * A pool as the owner role for the migrations, its runtime role granted what it needs at once: the
 * tables may exist from a start before, or from before the roles were split.
 */
async function ownerFor(ownerUrl: string, runtimeRole: string): Promise<MigrationOwner> {
  const owner = { pool: createPool(ownerUrl, { max: 2 }), runtimeRole };
  try {
    await grantRuntimeLocked(owner.pool, runtimeRole);
  } catch (error) {
    await owner.pool.end();
    throw error;
  }
  return owner;
}

const hostWith = (
  url: string,
  note: string | null,
  owner: MigrationOwner | null,
  stopServer: () => Promise<void>,
): DatabaseHost => ({
  url,
  note,
  migrationOwner: owner,
  endMigrations: async () => {
    if (owner) await retireMigrationOwner(owner);
  },
  stop: async () => {
    if (owner) await retireMigrationOwner(owner).catch(() => undefined);
    await stopServer();
  },
});

const external = async (config: LedgerConfig): Promise<DatabaseHost> => {
  const url = config.DATABASE_URL!;
  if (!config.DATABASE_OWNER_URL) return hostWith(url, null, null, async () => undefined);
  const runtimeRole = await roleOf(url);
  // One role in both URLs: revoking from it what the runtime may not do would take it from the owner.
  if ((await roleOf(config.DATABASE_OWNER_URL)) === runtimeRole)
    return hostWith(url, 'DATABASE_OWNER_URL logs in as DATABASE_URL does: one role migrates and serves', null, () =>
      Promise.resolve(),
    );
  const owner = await ownerFor(config.DATABASE_OWNER_URL, runtimeRole);
  return hostWith(
    url,
    `migrations run as DATABASE_OWNER_URL's role, the service as ${owner.runtimeRole}`,
    owner,
    async () => undefined,
  );
};

/**
 * The embedded server with the ledger's two roles in it: the superuser only makes the roles (and
 * hands a data directory from before them to the owner); the owner migrates; the service runs as
 * the runtime role.
 */
const embedded = async (config: LedgerConfig): Promise<DatabaseHost> => {
  const server = await startEmbeddedPostgres({ dataDir: config.LEDGER_DATA_DIR });
  try {
    const roles = await prepareEmbeddedLedgerRoles(server.url, config.LEDGER_DATA_DIR);
    const owner = await ownerFor(roles.ownerUrl, roles.runtime);
    const note =
      `embedded PostgreSQL running on 127.0.0.1:${server.port} (data in ${config.LEDGER_DATA_DIR}/postgres), ` +
      `migrations as ${roles.owner}, the service as ${roles.runtime}`;
    return hostWith(roles.runtimeUrl, note, owner, () => server.stop());
  } catch (error) {
    await server.stop();
    throw error;
  }
};

/**
 * One way to reach the database per store kind. The embedded server is a child process the service
 * owns, so it is started before the application and stopped after it, even when start-up fails.
 * KurrentDB keeps the events; keys, the ref index and read models stay in PostgreSQL.
 */
const HOSTS: Record<StoreKind, (config: LedgerConfig) => Promise<DatabaseHost>> = {
  embedded,
  postgres: external,
  kurrentdb: external,
};

export const openDatabaseHost = (config: LedgerConfig): Promise<DatabaseHost> => HOSTS[config.LEDGER_STORE](config);
