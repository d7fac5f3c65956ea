import { randomUUID } from 'node:crypto';
import { Keyring, openValue } from '#ledger/crypto';
import { createPool, type Pool } from '#ledger/postgres';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

const EMAIL = 'ingrid.sealed-e2e@example.no';
const NAME = 'Ingrid Forsegla Haugen';
const REASON = 'Innsynskrav fra Ingrid Haugen, sak 7781';

/**
 * Sealed values stay where they were sealed, on the built service: a value moved to another
 * field of the read model is refused on read; an access reason is sealed with the person's keys
 * and goes with them at erasure.
 */
describe('sealed values keep their place (built service, HTTP, PostgreSQL)', () => {
  let ledger: LedgerProcess;
  let databaseUrl: string;
  let stop: () => Promise<void>;
  let pool: Pool;
  const ref = `webcruiter:candidate:ingrid-${randomUUID().slice(0, 8)}`;
  let subjectId: string;

  beforeAll(async () => {
    ({ ledger, databaseUrl, stop } = await LedgerProcess.onFreshDatabase());
    pool = createPool(databaseUrl);
    const collected = envelope('data.collected', ref, {
      purpose: 'client-assignments',
      fields: { 'contact.email': EMAIL, 'contact.name': NAME },
      collectedFrom: 'subject',
    });
    expect((await ledger.post(collected)).status).toBe(201);
    subjectId = (await ledger.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`)).body.subjectId;
  });
  afterAll(async () => {
    await pool?.end();
    await stop?.();
  });

  const swap = (a: string, b: string) =>
    pool.query(
      `UPDATE ledger_subject_state
       SET view = jsonb_set(
         jsonb_set(view::jsonb, $2::text[], view::jsonb #> $3::text[]), $3::text[], view::jsonb #> $2::text[]
       )::json
       WHERE subject_id = $1`,
      [subjectId, ['data', a, 'value'], ['data', b, 'value']],
    );

  it('refuses swapped sealed values: 500 SEALED_VALUE_MISPLACED, neither value served or logged', async () => {
    const before = await ledger.get(`/v1/subjects/${subjectId}`);
    expect(before.status).toBe(200);
    expect(before.body.data['contact.email'].value).toBe(EMAIL);

    await swap('contact.email', 'contact.name');
    const { rows } = await pool.query(
      `SELECT view::jsonb #>> '{data,contact.name,value}' AS name FROM ledger_subject_state WHERE subject_id = $1`,
      [subjectId],
    );
    expect(rows[0].name).toMatch(/^enc:v3:/);
    const swapped = await ledger.get(`/v1/subjects/${subjectId}`);
    expect(swapped.status).toBe(500);
    expect(swapped.body).toMatchObject({ error: 'integrity', code: 'SEALED_VALUE_MISPLACED' });
    expect(swapped.body.message).toContain(subjectId);
    const output = ledger.output.join('');
    expect(output).toContain('SEALED_VALUE_MISPLACED');
    for (const text of [JSON.stringify(swapped.body), output]) {
      expect(text).not.toContain(EMAIL);
      expect(text).not.toContain(NAME);
    }

    await swap('contact.email', 'contact.name'); // back in place: served again
    expect((await ledger.get(`/v1/subjects/${subjectId}`)).body.data['contact.name'].value).toBe(NAME);
  });

  it("keeps an access reason sealed with the person's keys: in clear to the DPO, gone with the erasure", async () => {
    expect((await ledger.get(`/v1/subjects/${subjectId}`, 'auditor', { 'x-access-reason': REASON })).status).toBe(200);
    const { rows } = await pool.query<{ reason: string | null }>(
      'SELECT reason FROM ledger_access_log WHERE subject_id = $1 AND reason IS NOT NULL',
      [subjectId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.reason).toMatch(/^enc:v3:/);
    expect(rows[0]!.reason).not.toContain('Ingrid');
    const reasons = async () =>
      (
        (await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses as Array<{
          reason: string | null;
        }>
      ).map((a) => a.reason);
    expect(await reasons()).toContain(REASON);

    const erasure = envelope('erasure.requested', subjectId, { scope: 'all', reason: 'subject-request' });
    expect((await ledger.post(erasure)).status).toBe(201);
    const after = await reasons();
    expect(after.length).toBeGreaterThan(2);
    expect(after.every((r) => r === null)).toBe(true);
    const keyring = await Keyring.open(pool, Buffer.from(ledger.env.LEDGER_MASTER_KEY!, 'base64'));
    expect(openValue(subjectId, rows[0]!.reason!, await keyring.readableKeys(subjectId), 'access-reason')).toBeNull();
    const live = await pool.query('SELECT 1 FROM ledger_data_keys WHERE subject_id = $1 AND destroyed_at IS NULL', [
      subjectId,
    ]);
    expect(live.rows).toHaveLength(0);
  });
});
