import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase } from '../support/test-database';
import { envelope } from './support/envelopes';
import { LEDGER_TOKENS, LedgerProcess } from './support/ledger-process';
import { alive } from '../support/processes';

const MAIN = resolve(__dirname, '../../dist/apps/ledger/src/main.js');

/**
 * What the built service does before it serves: it will not seal values under a key it would lose,
 * keeps the embedded default's generated key where it is told, and signals no process but its own
 * PostgreSQL server.
 */
describe('starting the service (built service)', () => {
  const dirs: string[] = [];
  const ledgers: LedgerProcess[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(process.env.LEDGER_TEST_TMP ?? tmpdir(), 'ledger-start-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const ledger of ledgers) await ledger.stop();
    for (const child of children) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('without LEDGER_MASTER_KEY outside the embedded default: no start, exit 1 naming it, no key made', async () => {
    const db = await createTestDatabase();
    try {
      for (const store of [
        { LEDGER_STORE: 'postgres' },
        { LEDGER_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrentdb://127.0.0.1:2113?tls=false' },
      ]) {
        const dataDir = tempDir();
        const run = spawnSync(process.execPath, [MAIN], {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            NO_COLOR: '1',
            DATABASE_URL: db.url,
            LEDGER_TOKENS,
            LEDGER_DATA_DIR: dataDir,
            ...store,
          },
          encoding: 'utf8',
          timeout: 30_000,
        });
        expect([store.LEDGER_STORE, run.status]).toEqual([store.LEDGER_STORE, 1]);
        expect(run.stdout + run.stderr).toContain(
          `LEDGER_MASTER_KEY is required with LEDGER_STORE=${store.LEDGER_STORE}`,
        );
        expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
      }
    } finally {
      await db.drop();
    }
  });

  it("keeps the embedded default's key at LEDGER_MASTER_KEY_FILE, apart from the data; reads it again", async () => {
    const keyFile = join(tempDir(), 'keys', 'master.key');
    const ledger = await LedgerProcess.start({
      LEDGER_STORE: 'embedded',
      LEDGER_MASTER_KEY: '',
      LEDGER_MASTER_KEY_FILE: keyFile,
    });
    ledgers.push(ledger);
    dirs.push(ledger.env.LEDGER_DATA_DIR!);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(ledger.env.LEDGER_DATA_DIR!, 'master.key'))).toBe(false);
    expect(ledger.output.join('')).toContain(keyFile);
    const key = readFileSync(keyFile, 'utf8');
    expect(ledger.output.join('')).not.toContain(key);

    const ref = `webcruiter:candidate:key-${Date.now()}`;
    const posted = await ledger.post(
      envelope('data.collected', ref, {
        purpose: 'client-assignments',
        fields: { 'contact.email': 'key@example.no' },
        collectedFrom: 'subject',
      }),
    );
    const subjectId = posted.body.results[0].subjectId as string;
    await ledger.stop();
    await ledger.boot();
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
    expect((await ledger.get(`/v1/subjects/${subjectId}`)).body.data['contact.email'].value).toBe('key@example.no');
  });

  it('leaves alone the process a stale postmaster.pid names when it is not our server, and starts', async () => {
    const ledger = ledgers[0]!;
    const pidFile = join(ledger.env.LEDGER_DATA_DIR!, 'postgres', 'postmaster.pid');
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    await ledger.stop();
    expect(existsSync(pidFile)).toBe(false);
    const stale = (pid: number) => writeFileSync(pidFile, [String(pid), ...lines.slice(1)].join('\n'));

    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(sleeper);
    stale(sleeper.pid!);
    await ledger.boot();
    expect([alive(sleeper.pid!), sleeper.exitCode, sleeper.signalCode]).toEqual([true, null, null]);
    expect((await ledger.get('/health')).status).toBe(200);

    // A PostgreSQL server, but on another data directory: another ledger's.
    const neighbour = await LedgerProcess.start({ LEDGER_STORE: 'embedded' });
    ledgers.push(neighbour);
    dirs.push(neighbour.env.LEDGER_DATA_DIR!);
    const neighbourPid = Number(
      readFileSync(join(neighbour.env.LEDGER_DATA_DIR!, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    await ledger.stop();
    stale(neighbourPid);
    await ledger.boot();
    expect(alive(neighbourPid)).toBe(true);
    expect((await neighbour.get('/health')).status).toBe(200);
    expect(alive(sleeper.pid!)).toBe(true);
  });
});
