import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { NO_STREAM, PostgresEventStore } from '#ledger/event-store';
import {
  appendOnlySql,
  createPool,
  grantRuntime,
  migrate,
  prepareLedgerRoles,
  retireMigrationOwner,
  setMigrationOwner,
  type LedgerRoles,
  type MigrationOwner,
  type Pool,
} from '#ledger/postgres';
import { PostgresTreeStore } from '#ledger/verifiable-log';
import { newEvent } from '../../libs/event-store/src/testing/event-store.contract';
import { createTestDatabase } from '../support/test-database';

const EVIDENCE = ['ledger_events', 'ledger_access_log', 'ledger_tree_leaves', 'ledger_tree_nodes'] as const;

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcome(pool: Pool, sql: string): Promise<string> {
  try {
    await pool.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? 'no code';
  }
}

/**
 * The two roles on the machine's PostgreSQL, on a database first migrated by the superuser as an
 * older version did: brought over to the owner role, then the service's components opened on the
 * runtime role's pool with the owner applying their migrations.
 */
describe('the ledger roles: the runtime role may only SELECT and INSERT the evidence', () => {
  const suffix = randomBytes(4).toString('hex');
  const names = { owner: `ledger_owner_${suffix}`, runtime: `ledger_runtime_${suffix}` };
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let roles: LedgerRoles;
  let superuser: Pool;
  let runtime: Pool;
  let owner: MigrationOwner;

  beforeAll(async () => {
    db = await createTestDatabase();
    superuser = createPool(db.url, { max: 2 });
    // As an older version left it: the event store's tables made by the superuser.
    await (await PostgresEventStore.open({ url: db.url })).close();
    roles = await prepareLedgerRoles(db.url, { owner: 'o', runtime: 'r' }, names);
    owner = { pool: createPool(roles.ownerUrl, { max: 2 }), runtimeRole: roles.runtime };
    await grantRuntime(owner.pool, roles.runtime);
    runtime = createPool(roles.runtimeUrl, { max: 4 });
    setMigrationOwner(runtime, owner);
    await PostgresTreeStore.open(runtime);
    await migrate(runtime, 'access-log-test', [
      { version: 1, description: 'an evidence table', sql: appendOnlyAccessLog },
      {
        version: 2,
        description: 'a read model',
        sql: 'CREATE TABLE ledger_test_read_model (id int PRIMARY KEY, n int)',
      },
    ]);
    await retireMigrationOwner(owner);
  });

  afterAll(async () => {
    await runtime?.end();
    await superuser?.end();
    await db?.drop();
    const admin = new Client({ connectionString: process.env.LEDGER_TEST_PG_URL });
    await admin.connect();
    for (const role of [names.owner, names.runtime]) await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('hands the tables an older version made to the owner role, and owns nothing itself', async () => {
    const { rows } = await superuser.query<{ relname: string; owner: string }>(
      `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1`,
    );
    expect(rows.map((r) => r.relname)).toEqual(
      expect.arrayContaining(['ledger_events', 'ledger_migrations', 'ledger_tree_leaves', 'ledger_access_log']),
    );
    expect(new Set(rows.map((r) => r.owner))).toEqual(new Set([names.owner]));
    expect((await runtime.query<{ who: string }>('SELECT current_user AS who')).rows[0]!.who).toBe(names.runtime);
  });

  it.each(EVIDENCE)('refuses UPDATE, DELETE, TRUNCATE and trigger changes on %s (42501)', async (table) => {
    expect(await outcome(runtime, `UPDATE ${table} SET ${firstColumn[table]} = ${firstColumn[table]}`)).toBe('42501');
    expect(await outcome(runtime, `DELETE FROM ${table}`)).toBe('42501');
    expect(await outcome(runtime, `TRUNCATE ${table}`)).toBe('42501');
    expect(await outcome(runtime, `ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`)).toBe('42501');
    expect(await outcome(runtime, `ALTER TABLE ${table} DISABLE TRIGGER ALL`)).toBe('42501');
    expect(await outcome(runtime, `DROP TRIGGER ${table}_append_only ON ${table}`)).toBe('42501');
    expect(
      await outcome(
        runtime,
        `CREATE TRIGGER sneaky BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_immutable()`,
      ),
    ).toBe('42501');
    expect(await outcome(runtime, `DROP TABLE ${table}`)).toBe('42501');
    expect(await outcome(runtime, `SELECT count(*) FROM ${table}`)).toBe('ok');
  });

  it('appends and reads events, and grows the tree, as the runtime role', async () => {
    const store = await PostgresEventStore.open({ url: roles.runtimeUrl });
    try {
      const event = newEvent();
      await store.append([{ streamId: `subject-${suffix}`, expected: NO_STREAM, events: [event] }]);
      const read = await store.readStream(`subject-${suffix}`);
      expect(read.map((e) => e.eventId)).toEqual([event.eventId]);
    } finally {
      await store.close();
    }
    const tree = await PostgresTreeStore.open(runtime);
    const grown = await tree.append([{ kind: 'event', sourceId: 'e-1', leafHash: randomBytes(32) }]);
    expect(grown).toMatchObject({ appended: 1, treeSize: 1 });
  });

  it('keeps the read models writable and the bookkeeping read-only, and may not create tables', async () => {
    expect(await outcome(runtime, 'INSERT INTO ledger_test_read_model VALUES (1, 1)')).toBe('ok');
    expect(await outcome(runtime, 'UPDATE ledger_test_read_model SET n = 2')).toBe('ok');
    expect(await outcome(runtime, 'DELETE FROM ledger_test_read_model')).toBe('ok');
    expect(await outcome(runtime, 'TRUNCATE ledger_test_read_model')).toBe('ok');
    expect(await outcome(runtime, "INSERT INTO ledger_migrations VALUES ('x', 1, 'forged')")).toBe('42501');
    expect(await outcome(runtime, 'DELETE FROM ledger_migrations')).toBe('42501');
    expect(await outcome(runtime, 'CREATE TABLE ledger_mine (id int)')).toBe('42501');
  });

  it('needs only to read the bookkeeping once everything is applied, and names a missing migration', async () => {
    await expect(PostgresTreeStore.open(runtime)).resolves.toBeDefined();
    await expect(
      migrate(runtime, 'access-log-test', [
        { version: 3, description: 'late', sql: 'CREATE TABLE ledger_late (id int)' },
      ]),
    ).rejects.toThrow('migration access-log-test 3 needs the role that owns the ledger');
  });
});

const appendOnlyAccessLog = `
  CREATE TABLE ledger_access_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL);
  ${appendOnlySql('ledger_access_log')}`;

const firstColumn: Record<(typeof EVIDENCE)[number], string> = {
  ledger_events: 'type',
  ledger_access_log: 'at',
  ledger_tree_leaves: 'kind',
  ledger_tree_nodes: 'hash',
};
