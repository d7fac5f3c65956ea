import type { ClientBase, Pool } from 'pg';

type Queryable = Pool | ClientBase;

/**
 * Who applies migrations for a pool whose own role may not change the schema: a pool connected as
 * the role that owns the ledger's tables, and the role the service runs as, granted after each
 * migration what it needs and no more.
 */
export interface MigrationOwner {
  readonly pool: Pool;
  readonly runtimeRole: string;
}

/** The advisory lock every schema change of the ledger's is made under, migrations and grants alike. */
export const MIGRATION_LOCK = 'ledger-migrations';

const owners = new WeakMap<Pool, MigrationOwner>();
const retired = new WeakSet<MigrationOwner>();

/** Migrations asked for on `pool` are applied through `owner` (until it is retired). */
export function setMigrationOwner(pool: Pool, owner: MigrationOwner): void {
  owners.set(pool, owner);
}

/** The owner migrations on `pool` go through, or null: `pool`'s own role applies them. */
export function migrationOwnerOf(pool: Pool): MigrationOwner | null {
  const owner = owners.get(pool);
  return owner && !retired.has(owner) ? owner : null;
}

/**
 * Ends the owner's connections once everything is migrated: from then on a migration that is still
 * missing fails on the runtime role's privileges instead of running with the owner's.
 */
export async function retireMigrationOwner(owner: MigrationOwner): Promise<void> {
  if (retired.has(owner)) return;
  retired.add(owner);
  await owner.pool.end();
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Tables of evidence: those that carry the append-only trigger `appendOnlySql` adds, so that a
 * component's new evidence table is found without a list to keep in step.
 */
export async function evidenceTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT DISTINCT c.relname AS name FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND NOT t.tgisinternal AND t.tgname = c.relname || '_append_only'
      ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/**
 * What the runtime role may do, granted by the tables' owner: read and write the read models,
 * keys and checkpoints it keeps; only SELECT and INSERT on the evidence, whose triggers it cannot
 * touch since it owns nothing; only read the migrations' bookkeeping, so that it cannot mark a
 * migration applied. Never TRIGGER or REFERENCES. The same by default on what the calling role
 * creates later (a rebuild's shadow table). Idempotent: run as the owner after every migration.
 */
export async function grantRuntime(db: Queryable, runtimeRole: string): Promise<void> {
  const role = quoteIdent(runtimeRole);
  await db.query(`GRANT USAGE ON SCHEMA public TO ${role};
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO ${role};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role};
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO ${role};
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${role}`);
  const readOnly = (
    await db.query<{ exists: boolean }>(`SELECT to_regclass('ledger_migrations') IS NOT NULL AS exists`)
  ).rows[0]?.exists
    ? ['ledger_migrations']
    : [];
  for (const table of readOnly)
    await db.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ${quoteIdent(table)} FROM ${role}`);
  for (const table of await evidenceTables(db))
    await db.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${quoteIdent(table)} FROM ${role}`);
}

/** `grantRuntime` on a connection of `pool`, under the migrations' lock (another instance may be migrating). */
export async function grantRuntimeLocked(pool: Pool, runtimeRole: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    await grantRuntime(client, runtimeRole);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
