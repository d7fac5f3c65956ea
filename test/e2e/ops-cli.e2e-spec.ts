import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { envelope } from './support/envelopes';
import { createTestDatabase } from '../support/test-database';
import { LedgerProcess } from './support/ledger-process';

const CLI = resolve(__dirname, '../../dist/apps/ledger/src/cli/main.js');

/** The ops command line on a running ledger: status, export, rebuild, verify (which finds tampering). */
describe('the ops command line (built, on the service database)', () => {
  let ledger: LedgerProcess;
  let databaseUrl: string;
  let stop: () => Promise<void>;
  const cli = async (...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...ledger.env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  beforeAll(async () => {
    ({ ledger, databaseUrl, stop } = await LedgerProcess.onFreshDatabase());
  });
  afterAll(() => stop?.());

  it('reports, exports, rebuilds and verifies; verify names a tampered event', async () => {
    const ref = `invenias:contact:${randomUUID().slice(0, 8)}`;
    const posted = await ledger.post({
      events: [
        envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'contact.email': 'ops@example.no' },
          collectedFrom: 'subject',
        }),
        envelope('data.used', ref, { purpose: 'security' }),
        envelope('consent.given', ref, { purpose: 'marketing', policyVersion: '2018-05', channel: 'web' }),
      ],
    });
    const subjectId = posted.body.results[0].subjectId as string;

    // A POST answers once recorded; the read model follows a moment later (read-your-writes waits
    // on the read, not on the write), so the status is asked until it shows the batch, bounded.
    let lines: Array<{ projection: string; behindEvents: number }> = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const status = await cli('projections', 'status');
      expect(status.code).toBe(0);
      lines = status.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      if (lines.length > 0 && lines.every((l) => l.behindEvents === 0)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(lines.map((l) => l.projection)).toEqual(['compliance', 'subject-state', 'verifiable-log']);
    expect(lines.map((l) => l.behindEvents)).toEqual([0, 0, 0]);

    const exported = await cli('export', '--subject', subjectId);
    const entries = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries.map((e) => e.type)).toEqual(['data.collected', 'data.used', 'consent.given']);
    expect(exported.stdout).not.toContain('ops@example.no');

    const rebuilt = await cli('projections', 'rebuild', 'subject-state');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/rebuilt subject-state from \d+ events/);
    expect((await ledger.get(`/v1/subjects/${subjectId}`)).body.data['contact.email'].value).toBe('ops@example.no');

    expect((await cli('verify')).code).toBe(0);
    expect((await ledger.request('GET', '/v1/integrity', 'ops')).body).toMatchObject({ ok: true, broken: [] });
    expect((await ledger.get(`/v1/subjects/${subjectId}/trail`)).body.integrity).toEqual({ verified: true });

    // Someone with superuser rights edits an event behind the ledger's back.
    const c = new Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
    await c.query(
      `UPDATE ledger_events SET data = json_build_object('purpose', 'marketing') WHERE stream_id = $1 AND revision = 1`,
      [`subject-${subjectId}`],
    );
    await c.end();

    const verify = await cli('verify');
    expect(verify.code).toBe(3);
    expect(JSON.parse(verify.stdout.trim())).toEqual({
      streamId: `subject-${subjectId}`,
      revision: 1,
      problem: 'hash-mismatch',
    });
    const integrity = await ledger.request('GET', '/v1/integrity', 'ops');
    expect(integrity.body).toMatchObject({ ok: false, broken: [{ streamId: `subject-${subjectId}`, revision: 1 }] });
    expect((await ledger.request('GET', '/v1/integrity', 'auditor')).status).toBe(403);
    // The auditor reading that person's trail is told too, and so is ops (a metric, a log line with ids only).
    const trail = await ledger.get(`/v1/subjects/${subjectId}/trail`);
    expect(trail.body.integrity).toEqual({ verified: false, revision: 1, problem: 'hash-mismatch' });
    expect(trail.body.entries).toHaveLength(3);
    const metrics = (await ledger.get('/metrics', 'ops')).body as string;
    expect(metrics).toMatch(/^ledger_trail_verification_failures_total 1$/m);
    expect(ledger.output.join('')).toContain(
      `the trail of subject ${subjectId} does not verify: hash-mismatch at revision 1`,
    );

    expect((await cli('no-such-command')).code).toBe(2);
  });
});

/** The latest signed checkpoint, once there is one (the service signs every 200 ms while the tree grows). */
async function signedCheckpoint(ledger: LedgerProcess): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const latest = await ledger.get('/v1/checkpoints/latest');
    if (latest.status === 200) return latest.body as string;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no signed checkpoint');
}

/** `store copy` into a new PostgreSQL: a service started there reads the same people and the same access log. */
describe('store copy (built CLI) into a new PostgreSQL', () => {
  it('copies events, keys, refs, the access log and the signed tree; a service there reads the same', async () => {
    const { ledger, stop } = await LedgerProcess.onFreshDatabase({ LEDGER_CHECKPOINT_INTERVAL_MS: '200' });
    const target = await createTestDatabase();
    let copy: LedgerProcess | null = null;
    try {
      const ref = `webcruiter:candidate:${randomUUID().slice(0, 8)}`;
      const posted = await ledger.post(
        envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'contact.email': 'copy@example.no' },
          collectedFrom: 'subject',
        }),
      );
      const subjectId = posted.body.results[0].subjectId as string;
      const state = (await ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'case 9' })).body;
      const accesses = (await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses;
      const signed = await signedCheckpoint(ledger);

      const copied = await promisify(execFile)(process.execPath, [CLI, 'store', 'copy', '--target', target.url], {
        env: { ...process.env, ...ledger.env },
      });
      expect(copied.stderr).toMatch(/copied 1 rows of ledger_access_log/);
      expect(copied.stderr).toMatch(/0 broken chains/);
      expect(copied.stderr).toMatch(/copied [1-9]\d* leaves and [1-9]\d* signed checkpoints of the verifiable log/);
      expect(copied.stderr).not.toMatch(/does not hold/);
      // Again: nothing twice (the copy is resumable).
      await promisify(execFile)(process.execPath, [CLI, 'store', 'copy', '--target', target.url], {
        env: { ...process.env, ...ledger.env },
      });

      copy = await LedgerProcess.start({ LEDGER_STORE: 'postgres', DATABASE_URL: target.url });
      expect((await copy.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`)).body).toEqual({ subjectId });
      expect((await copy.get(`/v1/subjects/${subjectId}`, 'dpo')).body).toEqual(state);
      // The checkpoint an inspector kept from the source is served, unchanged, by the copy.
      expect((await copy.get(`/v1/checkpoints/${signed.split('\n')[1]}`)).body).toBe(signed);
      const copiedAccesses = (await copy.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses;
      // The entries that came over, then the copy's own (its ids follow the copied ones).
      expect(copiedAccesses.slice(0, accesses.length)).toEqual(accesses);
      expect(copiedAccesses.slice(accesses.length).map((a: { resource: string }) => a.resource)).toEqual([
        'ref-lookup',
        'state',
      ]);
    } finally {
      await copy?.stop();
      await stop();
      await target.drop();
    }
  });
});
