import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { MIGRATION_LOCK, quoteIdent } from './roles';

export interface LedgerRoleNames {
  /** Owns the schema's objects and applies migrations. @defaultValue `ledger_owner` */
  readonly owner?: string;
  /** What the service connects as. @defaultValue `ledger_runtime` */
  readonly runtime?: string;
}

export interface LedgerRoles {
  readonly owner: string;
  readonly runtime: string;
  /** The database as the owner role, and as the runtime role. */
  readonly ownerUrl: string;
  readonly runtimeUrl: string;
}

interface Passwords {
  owner: string;
  runtime: string;
}

const withUser = (url: string, user: string, password: string): string => {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
};

/** The roles' passwords, kept beside the server's own credentials (mode 0600). */
async function loadPasswords(dataDir: string): Promise<Passwords> {
  const file = join(dataDir, 'postgres.roles.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Passwords;
  const passwords = { owner: randomBytes(24).toString('base64url'), runtime: randomBytes(24).toString('base64url') };
  await writeFile(file, JSON.stringify(passwords), { mode: 0o600 });
  return passwords;
}

async function ensureRole(admin: Client, role: string, password: string): Promise<void> {
  const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const verb = rowCount === 0 ? 'CREATE' : 'ALTER';
  // A literal, not a parameter: utility statements take none; the password is generated base64url.
  await admin.query(
    `${verb} ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}'`,
  );
}

/**
 * Hands every object of the public schema to the owner role: a data directory made by an older
 * version holds tables the superuser created. Tables first (their identity sequences follow them),
 * then free-standing sequences and functions (the append-only triggers' functions).
 */
async function reassignToOwner(admin: Client, owner: string): Promise<void> {
  const { rows } = await admin.query<{ statement: string }>(
    `SELECT format('ALTER %s %s OWNER TO %I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass, $1::text) AS statement
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relowner <> $1::regrole
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                           AND d.deptype IN ('a', 'i'))
     UNION ALL
     SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $1::text)
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.proowner <> $1::regrole`,
    [owner],
  );
  for (const { statement } of rows) await admin.query(statement);
}

/**
 * Makes the ledger's two roles in the database `adminUrl` names (as a superuser): the owner, which
 * may create in the public schema and owns every object in it, and the runtime role, which owns
 * nothing; the owner then grants it what it needs (`grantRuntime`). Idempotent; run at every start,
 * so that a data directory from before the roles is brought over.
 */
export async function prepareLedgerRoles(
  adminUrl: string,
  passwords: Passwords,
  names: LedgerRoleNames = {},
): Promise<LedgerRoles> {
  const owner = names.owner ?? 'ledger_owner';
  const runtime = names.runtime ?? 'ledger_runtime';
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    await ensureRole(admin, owner, passwords.owner);
    await ensureRole(admin, runtime, passwords.runtime);
    const database = quoteIdent((await admin.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db);
    await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${quoteIdent(owner)}, ${quoteIdent(runtime)};
      REVOKE CREATE ON SCHEMA public FROM PUBLIC;
      GRANT USAGE, CREATE ON SCHEMA public TO ${quoteIdent(owner)}`);
    await reassignToOwner(admin, owner);
  } finally {
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
    await admin.end();
  }
  return {
    owner,
    runtime,
    ownerUrl: withUser(adminUrl, owner, passwords.owner),
    runtimeUrl: withUser(adminUrl, runtime, passwords.runtime),
  };
}

/** The roles of the embedded server in `dataDir`, their passwords generated there on first use. */
export async function prepareEmbeddedLedgerRoles(adminUrl: string, dataDir: string): Promise<LedgerRoles> {
  return prepareLedgerRoles(adminUrl, await loadPasswords(dataDir));
}
