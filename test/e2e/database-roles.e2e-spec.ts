import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';
import { createTestDatabase } from '../support/test-database';

const CLI = resolve(__dirname, '../../dist/apps/ledger/src/cli/main.js');

/**
 * The built service on the embedded default: it migrates as the owner role and then holds only
 * connections as the runtime role, which can append and read but not rewrite the evidence.
 */
describe('the embedded default runs as the runtime role (built service)', () => {
  let ledger: LedgerProcess;
  afterAll(async () => {
    await ledger?.stop();
    if (ledger) rmSync(ledger.env.LEDGER_DATA_DIR!, { recursive: true, force: true });
  });

  const connect = async (dataDir: string, user: string, password: string) => {
    const { port } = JSON.parse(readFileSync(join(dataDir, 'postgres.credentials.json'), 'utf8')) as { port: number };
    const client = new Client({ host: '127.0.0.1', port, user, password, database: 'ledger' });
    await client.connect();
    return client;
  };

  it('records and reads, its connections are all the runtime role, which cannot rewrite an event', async () => {
    ledger = await LedgerProcess.start({ LEDGER_STORE: 'embedded' });
    const dataDir = ledger.env.LEDGER_DATA_DIR!;
    const ref = `invenias:contact:${randomUUID().slice(0, 8)}`;
    const posted = await ledger.post({
      events: [
        envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'work.employer': 'Employer' },
          collectedFrom: 'subject',
        }),
      ],
    });
    expect(posted.status).toBe(201);
    const { results } = posted.body as { results: Array<{ subjectId: string }> };
    const state = await ledger.get(`/v1/subjects/${results[0]!.subjectId}`, 'auditor');
    expect(state.status).toBe(200);

    const credentials = JSON.parse(readFileSync(join(dataDir, 'postgres.credentials.json'), 'utf8')) as {
      password: string;
    };
    const superuser = await connect(dataDir, 'postgres', credentials.password);
    try {
      const { rows } = await superuser.query<{ usename: string }>(
        `SELECT DISTINCT usename FROM pg_stat_activity
          WHERE datname = 'ledger' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      expect(rows.map((r) => r.usename)).toEqual(['ledger_runtime']);
      const owners = await superuser.query<{ owner: string }>(
        `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class
          WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
      );
      expect(owners.rows.map((r) => r.owner)).toEqual(['ledger_owner']);
    } finally {
      await superuser.end();
    }

    const passwords = JSON.parse(readFileSync(join(dataDir, 'postgres.roles.json'), 'utf8')) as { runtime: string };
    const runtime = await connect(dataDir, 'ledger_runtime', passwords.runtime);
    try {
      const codeOf = (sql: string) =>
        runtime.query(sql).then(
          () => 'ok',
          (error: { code?: string }) => error.code,
        );
      expect(await codeOf('SELECT count(*) FROM ledger_events')).toBe('ok');
      expect(await codeOf(`UPDATE ledger_events SET type = type`)).toBe('42501');
      expect(await codeOf('DELETE FROM ledger_events')).toBe('42501');
      expect(await codeOf('TRUNCATE ledger_events')).toBe('42501');
      expect(await codeOf('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only')).toBe('42501');
      expect(await codeOf('DROP TRIGGER ledger_events_append_only ON ledger_events')).toBe('42501');
    } finally {
      await runtime.end();
    }
  });

  it('serves the read model an ops rebuild (as the owner role) swapped in while it ran', async () => {
    const ref = `invenias:contact:${randomUUID().slice(0, 8)}`;
    const data = { purpose: 'client-assignments', fields: { 'work.employer': 'Other' }, collectedFrom: 'subject' };
    const posted = await ledger.post({ events: [envelope('data.collected', ref, data)] });
    expect(posted.status).toBe(201);
    const subjectId = posted.body.results[0].subjectId as string;
    await promisify(execFile)(process.execPath, [CLI, 'projections', 'rebuild', 'subject-state'], {
      env: { ...process.env, ...ledger.env },
    });
    const state = await ledger.get(`/v1/subjects/${subjectId}`, 'auditor');
    expect(state.status).toBe(200);
    expect(Object.keys(state.body.data as object)).toEqual(['work.employer']);
  });
});

/** LEDGER_STORE=postgres with DATABASE_OWNER_URL: the owner migrates and grants, DATABASE_URL's role serves. */
describe('DATABASE_OWNER_URL (built service, the test PostgreSQL)', () => {
  const runtimeRole = `ledger_rt_${randomUUID().slice(0, 8)}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ledger: LedgerProcess;
  let admin: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${runtimeRole} LOGIN`);
  });
  afterAll(async () => {
    await ledger?.stop();
    await admin?.end();
    // The role's grants go with the database; then the role itself.
    await db?.drop();
    const server = new Client({ connectionString: process.env.LEDGER_TEST_PG_URL });
    await server.connect();
    await server.query(`DROP ROLE IF EXISTS ${runtimeRole}`);
    await server.end();
  });

  it('serves as DATABASE_URL’s role, which may append but not rewrite the events', async () => {
    const runtimeUrl = new URL(db.url);
    runtimeUrl.username = runtimeRole;
    runtimeUrl.password = '';
    ledger = await LedgerProcess.start({
      LEDGER_STORE: 'postgres',
      DATABASE_URL: runtimeUrl.toString(),
      DATABASE_OWNER_URL: db.url,
    });
    const ref = `invenias:contact:${randomUUID().slice(0, 8)}`;
    const data = { purpose: 'client-assignments', fields: { 'work.employer': 'E' }, collectedFrom: 'subject' };
    const posted = await ledger.post({ events: [envelope('data.collected', ref, data)] });
    expect(posted.status).toBe(201);
    const state = await ledger.get(`/v1/subjects/${posted.body.results[0].subjectId as string}`, 'auditor');
    expect(state.status).toBe(200);
    const database = new URL(db.url).pathname.slice(1);
    const { rows } = await admin.query<{ usename: string }>(
      `SELECT DISTINCT usename FROM pg_stat_activity
        WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      [database],
    );
    expect(rows.map((r) => r.usename)).toEqual([runtimeRole]);
    const runtime = new Client({ connectionString: runtimeUrl.toString() });
    await runtime.connect();
    try {
      const codeOf = (sql: string) =>
        runtime.query(sql).then(
          () => 'ok',
          (error: { code?: string }) => error.code,
        );
      expect(await codeOf('SELECT count(*) FROM ledger_events')).toBe('ok');
      expect(await codeOf('UPDATE ledger_events SET type = type')).toBe('42501');
      expect(await codeOf('ALTER TABLE ledger_events DISABLE TRIGGER ALL')).toBe('42501');
    } finally {
      await runtime.end();
    }
  });
});

/** A data directory an earlier version made, its tables the superuser's: handed to the owner role on start. */
describe('an embedded data directory from before the roles (built service)', () => {
  const dataDir = mkdtempSync(join(process.env.LEDGER_TEST_TMP ?? tmpdir(), 'ledger-e2e-old-'));
  let ledger: LedgerProcess;
  afterAll(async () => {
    await ledger?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on it and records; its tables and trigger functions now belong to the owner role', async () => {
    // As an earlier version did: the event store's tables (and their trigger functions) made by the
    // superuser, in a process of its own (the embedded server's package is an ES module).
    const dist = resolve(__dirname, '../../dist/libs');
    await promisify(execFile)(process.execPath, [
      '-e',
      `const { startEmbeddedPostgres } = require(${JSON.stringify(`${dist}/postgres/src/index.js`)});
       const { PostgresEventStore } = require(${JSON.stringify(`${dist}/event-store/src/index.js`)});
       (async () => {
         const old = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });
         await (await PostgresEventStore.open({ url: old.url })).close();
         await old.stop();
       })().catch((e) => { console.error(e); process.exit(1); });`,
    ]);

    ledger = await LedgerProcess.start({ LEDGER_STORE: 'embedded', LEDGER_DATA_DIR: dataDir });
    const ref = `invenias:contact:${randomUUID().slice(0, 8)}`;
    const data = { purpose: 'client-assignments', fields: { 'work.employer': 'E' }, collectedFrom: 'subject' };
    const posted = await ledger.post({ events: [envelope('data.collected', ref, data)] });
    expect(posted.status).toBe(201);
    const credentials = JSON.parse(readFileSync(join(dataDir, 'postgres.credentials.json'), 'utf8')) as {
      password: string;
      port: number;
    };
    const superuser = new Client({
      host: '127.0.0.1',
      port: credentials.port,
      user: 'postgres',
      password: credentials.password,
      database: 'ledger',
    });
    await superuser.connect();
    try {
      const owners = await superuser.query<{ owner: string }>(
        `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class
          WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S')`,
      );
      expect(owners.rows.map((r) => r.owner)).toEqual(['ledger_owner']);
      const functions = await superuser.query<{ owner: string }>(
        `SELECT DISTINCT pg_get_userbyid(proowner) AS owner FROM pg_proc WHERE pronamespace = 'public'::regnamespace`,
      );
      expect(functions.rows.map((r) => r.owner)).toEqual(['ledger_owner']);
      const { rows } = await superuser.query<{ n: string }>('SELECT count(*) AS n FROM ledger_events');
      expect(rows[0]!.n).toBe('1');
    } finally {
      await superuser.end();
    }
  });
});
