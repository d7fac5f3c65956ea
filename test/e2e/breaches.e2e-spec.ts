import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

const CLI = resolve(__dirname, '../../dist/apps/ledger/src/cli/main.js');

const hoursAfter = (at: string, hours: number) => new Date(Date.parse(at) + hours * 3_600_000).toISOString();

const breach = (over: object = {}) => ({
  id: randomUUID(),
  discoveredAt: '2026-11-16T08:00:00.000Z',
  periodFrom: '2026-11-01T00:00:00.000Z',
  periodTo: '2026-11-15T00:00:00.000Z',
  nature: 'an export of candidates was readable by a wrong client account',
  systems: ['webcruiter'],
  categories: ['contact'],
  consequences: 'contact details may have been seen',
  measures: 'access revoked; the client confirmed deletion',
  ...over,
});

/** The breach log (Art. 33(5)) on the built service: records, notifications, the persons a breach touched. */
describe('the breach log (built service, HTTP, PostgreSQL)', () => {
  let ledger: LedgerProcess;
  let databaseUrl: string;
  let stop: () => Promise<void>;
  const subjectOf = async (r: string) =>
    (await ledger.get(`/v1/subjects?ref=${encodeURIComponent(r)}`)).body.subjectId as string;
  const record = (body: unknown) => ledger.request('POST', '/v1/breaches', 'dpo', body);
  const notify = (id: string, body: unknown) => ledger.request('POST', `/v1/breaches/${id}/notifications`, 'dpo', body);
  const listed = async (id: string) =>
    (await ledger.get('/v1/breaches', 'auditor')).body.breaches.find((b: { id: string }) => b.id === id);
  const cli = async (...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...ledger.env } }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );

  beforeAll(async () => {
    ({ ledger, databaseUrl, stop } = await LedgerProcess.onFreshDatabase());
  });
  afterAll(() => stop?.());

  it("touches exactly those with Webcruiter's contact data not erased before the period", async () => {
    const tag = randomUUID().slice(0, 8);
    const ref = (name: string) => `webcruiter:candidate:${name}-${tag}`;
    const collect = (r: string, fields: object, at: string, source = 'webcruiter') =>
      envelope('data.collected', r, { purpose: 'client-assignments', fields, collectedFrom: 'subject' }, at, {
        source,
      });
    const erase = (r: string, at: string) =>
      envelope('erasure.requested', r, { scope: ['contact'], reason: 'purpose-ended' }, at);
    const events = [
      collect(ref('kept'), { 'contact.email': 'kept@example.no', 'work.position': 'CTO' }, '2026-10-01T09:00:00Z'),
      collect(ref('erased-before'), { 'contact.email': 'gone@example.no' }, '2026-10-01T09:00:00Z'),
      erase(ref('erased-before'), '2026-10-15T09:00:00Z'),
      collect(ref('erased-during'), { 'contact.email': 'late@example.no' }, '2026-10-01T09:00:00Z'),
      erase(ref('erased-during'), '2026-11-10T09:00:00Z'),
      collect(ref('other-system'), { 'contact.email': 'inv@example.no' }, '2026-10-01T09:00:00Z', 'invenias'),
      collect(ref('other-category'), { 'work.position': 'CEO' }, '2026-10-01T09:00:00Z'),
      collect(ref('after-period'), { 'contact.email': 'new@example.no' }, '2026-11-20T09:00:00Z'),
      envelope(
        'data.disclosed',
        ref('other-system'),
        { recipient: 'Assessio', purpose: 'client-assignments', fields: ['contact.email'] },
        '2026-10-02T09:00:00Z',
      ),
    ];
    expect((await ledger.post({ events })).status).toBe(201);
    const [kept, erasedDuring, otherSystem] = await Promise.all(
      ['kept', 'erased-during', 'other-system'].map((n) => subjectOf(ref(n))),
    );

    const webcruiter = breach();
    expect(await record(webcruiter)).toMatchObject({ status: 201, body: { id: webcruiter.id, status: 'recorded' } });
    const affected = await ledger.get(`/v1/breaches/${webcruiter.id}/affected`, 'dpo');
    expect(affected.status).toBe(200);
    expect(affected.body).toEqual({
      breachId: webcruiter.id,
      count: 2,
      subjects: [kept, erasedDuring].sort().map((subjectId) => ({ subjectId, categories: ['contact'] })),
    });
    expect(JSON.stringify(affected.body)).not.toContain('@example.no');

    // A recipient is a system too: the disclosure to Assessio puts that person in its breach.
    const assessio = breach({ systems: ['Assessio', 'webcruiter'], categories: ['contact', 'work'] });
    expect((await record(assessio)).status).toBe(201);
    expect((await ledger.get(`/v1/breaches/${assessio.id}/affected`, 'dpo')).body.subjects).toEqual(
      [
        { subjectId: kept, categories: ['contact', 'work'] },
        { subjectId: erasedDuring, categories: ['contact'] },
        { subjectId: otherSystem, categories: ['contact'] },
        { subjectId: await subjectOf(ref('other-category')), categories: ['work'] },
      ].sort((a, b) => (a.subjectId < b.subjectId ? -1 : 1)),
    );
    expect((await ledger.get(`/v1/breaches/${webcruiter.id}/affected`, 'auditor')).status).toBe(403);
  });

  it('judges the authority notified within 72 hours, and keeps each breach once', async () => {
    const late = breach();
    const inTime = breach();
    const open = breach({ discoveredAt: new Date().toISOString() });
    const overdue = breach({ discoveredAt: '2026-01-05T08:00:00.000Z' });
    for (const b of [late, inTime, open, overdue]) expect((await record(b)).status).toBe(201);

    expect((await notify(late.id, { to: 'subjects', at: hoursAfter(late.discoveredAt, 5) })).status).toBe(201);
    const lateAt = hoursAfter(late.discoveredAt, 80);
    expect((await notify(late.id, { to: 'authority', at: lateAt, reference: 'DT-80' })).status).toBe(201);
    const inTimeAt = hoursAfter(inTime.discoveredAt, 10);
    expect((await notify(inTime.id, { to: 'authority', at: inTimeAt })).status).toBe(201);

    expect(await listed(late.id)).toEqual({
      ...late,
      recordedAt: expect.any(String),
      notifications: [
        { to: 'subjects', at: hoursAfter(late.discoveredAt, 5), reference: null },
        { to: 'authority', at: lateAt, reference: 'DT-80' },
      ],
      authorityNotifiedAt: lateAt,
      notifiedWithin72h: false,
    });
    expect(await listed(inTime.id)).toMatchObject({ authorityNotifiedAt: inTimeAt, notifiedWithin72h: true });
    expect(await listed(open.id)).toMatchObject({ authorityNotifiedAt: null, notifiedWithin72h: null });
    expect(await listed(overdue.id)).toMatchObject({ authorityNotifiedAt: null, notifiedWithin72h: false });

    const again = await record(late);
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    const reused = await record({ ...late, measures: 'something else' });
    expect(reused.status).toBe(409);
    expect(reused.body).toEqual({
      error: 'conflict',
      code: 'ID_REUSED',
      message: `breach id ${late.id} was recorded before with other content`,
    });
    expect(
      (await ledger.get('/v1/breaches', 'auditor')).body.breaches.filter((b: { id: string }) => b.id === late.id),
    ).toHaveLength(1);
    expect((await ledger.get('/v1/breaches', 'ingest')).status).toBe(403);
    expect((await ledger.request('POST', '/v1/breaches', 'auditor', breach())).status).toBe(403);
  });

  it('refuses bad input by path, an unknown category, and a notification of an unknown breach', async () => {
    const bad = await record({ ...breach(), id: 'not-a-uuid', discoveredAt: 'yesterday', systems: [], extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation');
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(
      ['discoveredAt', 'extra', 'id', 'systems'].sort(),
    );
    const reversed = await record(breach({ periodFrom: '2026-11-15T00:00:00Z', periodTo: '2026-11-01T00:00:00Z' }));
    expect(reversed.status).toBe(400);
    expect(reversed.body.details).toEqual([expect.objectContaining({ path: 'periodTo' })]);
    const unknownCategory = await record(breach({ categories: ['contact', 'horoscope'] }));
    expect(unknownCategory.status).toBe(422);
    expect(unknownCategory.body.code).toBe('UNKNOWN_CATEGORY');

    const missing = randomUUID();
    expect((await notify(missing, { to: 'authority', at: '2026-11-16T09:00:00Z' })).status).toBe(404);
    expect((await ledger.get(`/v1/breaches/${missing}/affected`, 'dpo')).status).toBe(404);
    const recorded = breach();
    expect((await record(recorded)).status).toBe(201);
    const badNotice = await notify(recorded.id, { to: 'press', at: 'soon' });
    expect(badNotice.status).toBe(400);
    expect(badNotice.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['at', 'to']);
  });

  it('keeps each breach in a hash-chained stream of its own, which verify checks', async () => {
    const chained = breach();
    expect((await record(chained)).status).toBe(201);
    expect((await notify(chained.id, { to: 'authority', at: hoursAfter(chained.discoveredAt, 1) })).status).toBe(201);
    expect((await cli('verify')).code).toBe(0);

    const c = new Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ revision: number; type: string }>(
        'SELECT revision, type FROM ledger_events WHERE stream_id = $1 ORDER BY revision',
        [`breach-${chained.id}`],
      );
      expect(rows).toEqual([
        { revision: 0, type: 'breach.recorded' },
        { revision: 1, type: 'breach.notified' },
      ]);
      // Someone with superuser rights rewrites the notification behind the ledger's back.
      await c.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
      await c.query(
        `UPDATE ledger_events SET data = jsonb_set(data::jsonb, '{at}', '"2026-11-16T08:30:00.000Z"')::json
         WHERE stream_id = $1 AND revision = 1`,
        [`breach-${chained.id}`],
      );
    } finally {
      await c.end();
    }
    const verify = await cli('verify');
    expect(verify.code).toBe(3);
    expect(JSON.parse(verify.stdout.trim())).toEqual({
      streamId: `breach-${chained.id}`,
      revision: 1,
      problem: 'hash-mismatch',
    });
  });
});
