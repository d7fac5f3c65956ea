import { randomUUID } from 'node:crypto';
import { dumpDatabase } from '../support/dump-database';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

/** The SHA-256 of the seed policy text, as the default policy file lists it for version 2018-05. */
const POLICY_2018_05_SHA256 = '60d089c784c45df53cc94c6548524cc6c17b100f2de549e527de03cdb6d880b7';

/** Polls `read` until `ok` holds of its answer: the register is a projection, a moment behind the write. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Entry {
  requestId: string;
  subjectId: string;
  status: string;
  onTime: boolean | null;
  kind: string;
  dueDate: string;
  extendedMonths: number;
}

/** The DPO's request register (CONTRACT §8) on the built service: deadlines, overdue, answers on time or not. */
describe('the request register (built service, HTTP, PostgreSQL)', () => {
  let ledger: LedgerProcess;
  let databaseUrl: string;
  let stop: () => Promise<void>;
  const subjectOf = async (r: string) =>
    (await ledger.get(`/v1/subjects?ref=${encodeURIComponent(r)}`)).body.subjectId as string;
  const register = async (query: string) =>
    (await ledger.get(`/v1/requests${query}`, 'dpo')).body as { asOf: string; requests: Entry[] };
  const entry = async (query: string, requestId: string) =>
    (
      await eventually(
        () => register(query),
        (r) => r.requests.some((e) => e.requestId === requestId),
      )
    ).requests.find((e) => e.requestId === requestId);

  beforeAll(async () => {
    ({ ledger, databaseUrl, stop } = await LedgerProcess.onFreshDatabase());
  });
  afterAll(() => stop?.());

  it('lists a request received in the past as overdue; answered late, it is not on time', async () => {
    const ref = `webcruiter:candidate:late-${randomUUID().slice(0, 8)}`;
    const received = envelope(
      'request.received',
      ref,
      { kind: 'rectification', channel: 'email' },
      '2026-01-31T09:00:00Z',
    );
    expect((await ledger.post(received)).status).toBe(201);
    const subjectId = await subjectOf(ref);
    expect(await entry('?status=overdue', received.id)).toMatchObject({
      subjectId,
      kind: 'rectification',
      status: 'open',
      dueDate: '2026-03-02',
      onTime: null,
    });
    expect((await register('?status=overdue&kind=access')).requests.map((e) => e.requestId)).not.toContain(received.id);

    const extension = envelope('request.extended', ref, { requestId: received.id, months: 1, reason: 'complex' });
    const refused = await ledger.post(extension);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('EXTENSION_NOT_ALLOWED');

    const answer = envelope(
      'request.answered',
      ref,
      { requestId: received.id, outcome: 'fulfilled' },
      new Date().toISOString(),
    );
    expect((await ledger.post(answer)).status).toBe(201);
    expect(await entry('?status=answered', received.id)).toMatchObject({ status: 'answered', onTime: false });
    const state = (await ledger.get(`/v1/subjects/${subjectId}`, 'dpo')).body;
    expect(state.requests).toEqual([
      expect.objectContaining({ requestId: received.id, status: 'answered', outcome: 'fulfilled', onTime: false }),
    ]);
    const again = await ledger.post(envelope('request.answered', ref, { requestId: received.id, outcome: 'refused' }));
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('NO_SUCH_REQUEST');
  });

  it('an access request answered in time is on time; an extension in time moves its due date', async () => {
    const ref = `webcruiter:candidate:ontime-${randomUUID().slice(0, 8)}`;
    const now = new Date().toISOString();
    const access = envelope('access.requested', ref, { channel: 'email' }, now);
    expect((await ledger.post(access)).status).toBe(201);
    expect(await entry('?status=open&kind=access', access.id)).toMatchObject({ status: 'open', kind: 'access' });
    const extended = await ledger.post(
      envelope('request.extended', ref, { requestId: access.id, months: 2, reason: 'many requests at once' }),
    );
    expect(extended.status).toBe(201);
    expect(
      await eventually(
        () => entry('?status=open', access.id),
        (e) => e?.extendedMonths === 2,
      ),
    ).toMatchObject({
      extendedMonths: 2,
    });
    const tooLong = await ledger.post(
      envelope('request.extended', ref, { requestId: access.id, months: 1, reason: 'x' }),
    );
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.code).toBe('EXTENSION_NOT_ALLOWED');
    expect(
      (await ledger.post(envelope('request.answered', ref, { requestId: access.id, outcome: 'fulfilled' }, now)))
        .status,
    ).toBe(201);
    expect(await entry('?status=answered', access.id)).toMatchObject({ status: 'answered', onTime: true });
  });

  it('serves the register to the dpo only, and refuses an unknown status, limit or cursor', async () => {
    expect((await ledger.get('/v1/requests', 'auditor')).status).toBe(403);
    for (const query of ['status=late', 'kind=complaint', 'limit=0', 'limit=1001', 'after=bm90LWEtY3Vyc29y']) {
      const refused = await ledger.get(`/v1/requests?${query}`, 'dpo');
      expect([query, refused.status, refused.body.error]).toEqual([query, 400, 'validation']);
    }
    const body = await register('');
    expect(body.asOf).toEqual(expect.any(String));
  });

  it('pages through the register by due date: each request once, the whole register in the end', async () => {
    const ref = `webcruiter:candidate:pages-${randomUUID().slice(0, 8)}`;
    for (const day of ['03', '05', '04'])
      expect(
        (
          await ledger.post(
            envelope('request.received', ref, { kind: 'portability', channel: 'email' }, `2026-03-${day}T09:00:00Z`),
          )
        ).status,
      ).toBe(201);
    const whole = await eventually(
      () => register('?kind=portability'),
      (r) => r.requests.length >= 3,
    );
    const pages: Entry[][] = [];
    let after = '';
    do {
      const page = (await ledger.get(`/v1/requests?kind=portability&limit=2${after}`, 'dpo')).body as {
        requests: Entry[];
        next?: string;
      };
      pages.push(page.requests);
      after = page.next ? `&after=${page.next}` : '';
    } while (after);
    expect(pages.every((page) => page.length <= 2)).toBe(true);
    expect(pages.flat().map((e) => e.requestId)).toEqual(whole.requests.map((e) => e.requestId));
    const dueDates = whole.requests.map((e) => e.dueDate);
    expect(dueDates).toEqual([...dueDates].sort());
  });

  it('counts overdue requests in the metric', async () => {
    const ref = `webcruiter:candidate:metric-${randomUUID().slice(0, 8)}`;
    const late = envelope('request.received', ref, { kind: 'objection', channel: 'letter' }, '2026-02-02T09:00:00Z');
    expect((await ledger.post(late)).status).toBe(201);
    const metrics = await eventually(
      async () => (await ledger.get('/metrics', 'ops')).body as string,
      (text) => /ledger_requests_overdue [1-9]/.test(text),
      70_000,
    );
    expect(metrics).toMatch(/ledger_requests_overdue [1-9]/);
  }, 80_000);

  it('refuses consent under a policy version the policy does not list', async () => {
    const ref = `webcruiter:candidate:v-${randomUUID().slice(0, 8)}`;
    const answer = await ledger.post(
      envelope('consent.given', ref, { purpose: 'marketing', policyVersion: '2031-01', channel: 'web-form' }),
    );
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('UNKNOWN_POLICY_VERSION');
  });

  it('proves consent: each purpose history with the policy text hash and the evidence, read logged', async () => {
    const ref = `webcruiter:candidate:proof-${randomUUID().slice(0, 8)}`;
    const evidence = 'Avkrysning i skjema 8812, IP logget';
    const given = envelope(
      'consent.given',
      ref,
      { purpose: 'marketing', policyVersion: '2018-05', channel: 'web-form', evidence },
      '2026-03-01T10:00:00Z',
    );
    const withdrawn = envelope(
      'consent.withdrawn',
      ref,
      { purpose: 'marketing', channel: 'email' },
      '2026-04-01T10:00:00Z',
    );
    expect((await ledger.post({ events: [given, withdrawn] })).status).toBe(201);
    const subjectId = await subjectOf(ref);
    const proof = await ledger.get(`/v1/subjects/${subjectId}/consents`, 'auditor', {
      'X-Access-Reason': 'tilsyn 2026-17',
    });
    expect(proof.status).toBe(200);
    expect(proof.body).toEqual({
      subjectId,
      purposes: {
        marketing: [
          {
            status: 'given',
            at: '2026-03-01T10:00:00Z',
            policyVersion: '2018-05',
            policyTextSha256: POLICY_2018_05_SHA256,
            channel: 'web-form',
            evidence,
          },
          {
            status: 'withdrawn',
            at: '2026-04-01T10:00:00Z',
            policyVersion: '2018-05',
            policyTextSha256: POLICY_2018_05_SHA256,
            channel: 'email',
            evidence: null,
          },
        ],
      },
    });
    const accesses = (await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses;
    expect(accesses).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ principal: 'auditor-e2e', resource: 'consents', reason: 'tilsyn 2026-17' }),
      ]),
    );
    expect((await ledger.get(`/v1/subjects/${subjectId}/consents`, 'ingest')).status).toBe(403);
  });

  it('erases at once a category held only for a withdrawn purpose, and keeps one also held for another', async () => {
    const ref = `webcruiter:candidate:ended-${randomUUID().slice(0, 8)}`;
    const roles = 'Styreverv i fornybar energi, hemmelig ønske 4471';
    await ledger.post({
      events: [
        envelope('consent.given', ref, { purpose: 'marketing', policyVersion: '2018-05', channel: 'web-form' }),
        envelope('data.collected', ref, {
          purpose: 'marketing',
          fields: { 'preferences.roles': roles, 'contact.email': 'ended@example.no' },
          collectedFrom: 'subject',
        }),
        envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'contact.email': 'ended@example.no' },
          collectedFrom: 'subject',
        }),
      ],
    });
    const subjectId = await subjectOf(ref);
    expect(
      (await ledger.post(envelope('consent.withdrawn', ref, { purpose: 'marketing', channel: 'email' }))).status,
    ).toBe(201);
    const state = (await ledger.get(`/v1/subjects/${subjectId}`, 'dpo')).body;
    expect(Object.keys(state.data)).toEqual(['contact.email']);
    const certificate = (await ledger.get(`/v1/erasures/${subjectId}`)).body;
    expect(certificate.erasures).toEqual([
      expect.objectContaining({ reason: 'purpose-ended', outcome: 'completed', categories: ['preferences'] }),
    ]);
    expect(certificate.keysDestroyed.map((k: { category: string }) => k.category)).toEqual(['preferences']);
    const dump = await dumpDatabase(databaseUrl);
    expect(dump.text).not.toContain(roles);
  });

  it('a legal hold whose until has passed does not block the sweep; one still running does', async () => {
    const expired = `visma:applicant:exp-${randomUUID().slice(0, 8)}`;
    const running = `visma:applicant:run-${randomUUID().slice(0, 8)}`;
    const idle = (ref: string, until: string) => [
      envelope(
        'data.collected',
        ref,
        { purpose: 'client-assignments', fields: { 'contact.name': 'Idle' }, collectedFrom: 'subject' },
        '2015-01-01T00:00:00Z',
      ),
      envelope('legal-hold.placed', ref, { reason: 'Bokføringsloven § 13', until }, '2015-01-02T00:00:00Z'),
    ];
    await ledger.post({ events: [...idle(expired, '2020-01-01T00:00:00Z'), ...idle(running, '2099-01-01T00:00:00Z')] });
    const [expiredId, runningId] = [await subjectOf(expired), await subjectOf(running)];
    // The sweep selects from the state read model: wait until it shows both.
    for (const id of [expiredId, runningId]) {
      await eventually(
        async () => (await ledger.get(`/v1/subjects/${id}`, 'dpo')).body,
        (view) => view.legalHolds?.length === 1,
      );
    }
    const swept = (await ledger.request('POST', '/v1/retention/sweep', 'ops', {})).body;
    expect(swept.erased).toContain(expiredId);
    expect(swept.refused).toContain(runningId);
  });

  it('a sweep refused under a hold erases once the hold has passed its until', async () => {
    const ref = `visma:applicant:ends-${randomUUID().slice(0, 8)}`;
    const until = new Date(Date.now() + 4_000).toISOString();
    await ledger.post({
      events: [
        envelope(
          'data.collected',
          ref,
          { purpose: 'client-assignments', fields: { 'contact.name': 'Idle' }, collectedFrom: 'subject' },
          '2015-01-01T00:00:00Z',
        ),
        envelope('legal-hold.placed', ref, { reason: 'Bokføringsloven § 13', until }, '2015-01-02T00:00:00Z'),
      ],
    });
    const subjectId = await subjectOf(ref);
    await eventually(
      async () => (await ledger.get(`/v1/subjects/${subjectId}`, 'dpo')).body,
      (view) => view.legalHolds?.length === 1,
    );
    const sweep = async () => (await ledger.request('POST', '/v1/retention/sweep', 'ops', {})).body;
    expect((await sweep()).refused).toContain(subjectId);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(until) - Date.now() + 200));
    expect((await sweep()).erased).toContain(subjectId);
    expect((await ledger.get(`/v1/subjects/${subjectId}`, 'dpo')).body.status).toBe('erased');
  });
});
