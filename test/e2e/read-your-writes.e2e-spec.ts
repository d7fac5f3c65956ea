import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

const collected = (ref: string, email: string, at?: string) =>
  envelope(
    'data.collected',
    ref,
    { purpose: 'client-assignments', fields: { 'contact.email': email }, collectedFrom: 'processor' },
    at,
  );

/** Whether a promise has settled yet, without waiting for it. */
const settledYet = async (promise: Promise<unknown>, afterMs: number) => {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, afterMs));
  return settled;
};

/**
 * Read-your-writes is kept on the read: a POST answers once recorded, without waiting for the read
 * model to show its own write, and a GET of the subject waits (bounded) until the read model shows
 * every event the store holds for it. The read model is held back here by a lock on its table
 * (reads of it still go through), so what each side waits for is seen, not raced.
 */
describe('read-your-writes with the read model held back', () => {
  let ledger: LedgerProcess;
  let stop: () => Promise<void>;
  let db: Client;

  beforeAll(async () => {
    const started = await LedgerProcess.onFreshDatabase({ LEDGER_READ_YOUR_WRITES_MS: '20000' });
    ({ ledger, stop } = started);
    db = new Client({ connectionString: started.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await stop?.();
  });

  /** Holds the read model's writes until the returned function is called. */
  const holdReadModel = async () => {
    await db.query('BEGIN');
    await db.query('LOCK TABLE ledger_subject_state IN SHARE MODE');
    return () => db.query('COMMIT');
  };
  const rowsOf = async (subjectId: string) =>
    (await db.query('SELECT version FROM ledger_subject_state WHERE subject_id = $1', [subjectId])).rows as Array<{
      version: number;
    }>;

  it('answers a POST before its write shows, and a GET of the subject waits for it to show', async () => {
    const release = await holdReadModel();
    const posting = ledger.post({
      events: [collected(`webcruiter:candidate:${randomUUID().slice(0, 8)}`, 'kari@example.no')],
    });
    // Answered well within LEDGER_READ_YOUR_WRITES_MS (20 s here), which a wait for its own write would use up.
    expect(await settledYet(posting, 3000)).toBe(true);
    const posted = await posting;
    expect(posted.status).toBe(201);
    const subjectId = posted.body.results[0].subjectId;
    expect(await rowsOf(subjectId)).toEqual([]); // answered while the read model could not show it

    const read = ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'e2e' });
    expect(await settledYet(read, 300)).toBe(false); // not a 404: it waits for the write
    await release();
    const state = await read;
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({
      subjectId,
      version: 1,
      data: { 'contact.email': { value: 'kari@example.no' } },
    });
    const metrics = (await ledger.get('/metrics', 'ops')).body as string;
    expect(metrics).toMatch(/^ledger_state_reads_total\{freshness="waited"\} 1$/m);
  });

  it('holds a POST until writes acknowledged before it show (the read model trails by POSTs in flight)', async () => {
    const release = await holdReadModel();
    const first = await ledger.post(collected(`webcruiter:candidate:${randomUUID().slice(0, 8)}`, 'ola@example.no'));
    expect(first.status).toBe(201);
    const second = ledger.post(collected(`webcruiter:candidate:${randomUUID().slice(0, 8)}`, 'per@example.no'));
    expect(await settledYet(second, 300)).toBe(false);
    await release();
    expect((await second).status).toBe(201);
    expect(await rowsOf(first.body.results[0].subjectId)).toEqual([{ version: 1 }]);
  });

  it('leaves to the next sweep a subject whose row does not yet show a write that restarted its clock', async () => {
    const ref = `webcruiter:candidate:${randomUUID().slice(0, 8)}`;
    // Collected in 2020: due for erasure in 2025 (five years of inactivity).
    const old = await ledger.post(collected(ref, 'lise@example.no', '2020-03-01T09:00:00Z'));
    const subjectId = old.body.results[0].subjectId;
    expect(
      (await ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'e2e' })).body.retentionDueAt,
    ).toBe('2025-03-01T09:00:00.000Z');

    const release = await holdReadModel();
    try {
      // Collected again today: the clock restarts, but the row still says 2025.
      expect((await ledger.post(collected(ref, 'lise@example.no', '2026-11-29T09:00:00Z'))).status).toBe(201);
      expect(await rowsOf(subjectId)).toEqual([{ version: 1 }]);
      const sweep = await ledger.request('POST', '/v1/retention/sweep', 'ops', { asOf: '2026-11-29T12:00:00Z' });
      expect(sweep.status).toBe(200);
      expect(sweep.body.erased).not.toContain(subjectId);
    } finally {
      await release();
    }
    const state = await ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'e2e' });
    expect(state.body).toMatchObject({
      status: expect.not.stringMatching(/erased/),
      retentionDueAt: '2031-11-29T09:00:00.000Z',
    });
  });
});
