import type { Pool, PoolClient } from 'pg';
import { pgErrorOf } from './pool';
import { grantRuntime, MIGRATION_LOCK, migrationOwnerOf, type MigrationOwner } from './roles';

/** One schema change. Never edit a shipped migration: add the next one. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Applies a module's migrations in order, each in its own transaction, under one advisory lock for
 * all modules, so that several instances (and several modules of one instance, built concurrently)
 * apply each migration once and create the shared bookkeeping table once. A pool with a migration
 * owner has them applied as that owner, which grants the pool's role its privileges in the same
 * transaction; with everything applied, this needs no more than reading the bookkeeping table.
 */
export async function migrate(pool: Pool, module: string, migrations: readonly Migration[]): Promise<void> {
  const owner = migrationOwnerOf(pool);
  const client = await (owner?.pool ?? pool).connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    await ensureBookkeeping(client);
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM ledger_migrations WHERE module = $1',
      [module],
    );
    const applied = new Set(rows.map((r) => r.version));
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await applyOne(client, module, migration, owner);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/**
 * Creates the bookkeeping table only when it is missing: CREATE TABLE IF NOT EXISTS checks the
 * schema's CREATE privilege even when the table exists, which the runtime role does not hold.
 */
async function ensureBookkeeping(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ missing: boolean }>(
    `SELECT to_regclass('ledger_migrations') IS NULL AS missing`,
  );
  if (!rows[0]?.missing) return;
  await client.query(`CREATE TABLE IF NOT EXISTS ledger_migrations (
    module text NOT NULL, version integer NOT NULL, description text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (module, version))`);
}

async function applyOne(
  client: PoolClient,
  module: string,
  migration: Migration,
  owner: MigrationOwner | null,
): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query('INSERT INTO ledger_migrations (module, version, description) VALUES ($1, $2, $3)', [
      module,
      migration.version,
      migration.description,
    ]);
    if (owner) await grantRuntime(client, owner.runtimeRole);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    // The role lacks the owner's privileges (the service without DATABASE_OWNER_URL, or a
    // migration the start-up did not apply): said with the module and version, cause kept.
    if (pgErrorOf(error).code === '42501')
      throw new Error(`migration ${module} ${migration.version} needs the role that owns the ledger's tables`, {
        cause: error,
      });
    throw error;
  }
}

/**
 * The SQL that makes a table of evidence append-only: UPDATE, DELETE and TRUNCATE through the
 * ledger's own role are refused (`restrict_violation`). A superuser can still disable it.
 */
export const appendOnlySql = (table: string): string => `
  CREATE FUNCTION ${table}_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION '${table} is append-only' USING ERRCODE = 'restrict_violation';
  END $$;
  CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
    FOR EACH ROW EXECUTE FUNCTION ${table}_immutable();
  CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
    FOR EACH STATEMENT EXECUTE FUNCTION ${table}_immutable();`;
