import { randomUUID } from 'node:crypto';
import { envelope } from './support/envelopes';
import { LedgerProcess, TOKENS } from './support/ledger-process';

/**
 * A person's whole life through the built service over HTTP: consent and collection, use and
 * disclosure, objection, correction, legal hold, erasure; checked through state, trail and the
 * access log, with every answer code of the contract on the way.
 */
describe("a person's life in the ledger (built service, HTTP, PostgreSQL)", () => {
  let ledger: LedgerProcess;
  let stop: () => Promise<void>;
  const ref = `webcruiter:candidate:${randomUUID().slice(0, 8)}`;
  let subjectId: string;
  const values = [
    'ola.nordmann@example.no',
    'Ola Nordmann',
    'CFO',
    'I have a new job and want no more contact',
    'signed form 12',
  ];

  beforeAll(async () => {
    ({ ledger, stop } = await LedgerProcess.onFreshDatabase());
  });
  afterAll(() => stop?.());

  it('records consent and collection, and shows them at once (read-your-writes)', async () => {
    const batch = {
      events: [
        envelope('consent.given', ref, {
          purpose: 'candidate-relationship',
          policyVersion: '2018-05',
          channel: 'web-form',
          evidence: values[4],
        }),
        envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'contact.email': values[0], 'contact.name': values[1], 'work.position': values[2] },
          collectedFrom: 'processor',
        }),
        envelope('data.collected', ref, {
          purpose: 'candidate-relationship',
          fields: { 'preferences.roles': 'CFO, CEO' },
          collectedFrom: 'subject',
        }),
      ],
    };
    const posted = await ledger.post(batch);
    expect(posted.status).toBe(201);
    expect(posted.body.results.map((r: { status: string }) => r.status)).toEqual(['recorded', 'recorded', 'recorded']);
    subjectId = posted.body.results[0].subjectId;
    expect(new Set(posted.body.results.map((r: { subjectId: string }) => r.subjectId)).size).toBe(1);

    expect((await ledger.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`)).body).toEqual({ subjectId });
    const state = await ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'Art. 15 request #77' });
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({
      subjectId,
      status: 'active',
      refs: [ref],
      data: {
        'contact.email': {
          value: values[0],
          purpose: 'client-assignments',
          lawfulBasis: 'legitimate-interest',
          source: 'webcruiter',
        },
        'preferences.roles': { value: 'CFO, CEO', purpose: 'candidate-relationship', lawfulBasis: 'consent' },
      },
      consents: { 'candidate-relationship': { status: 'given', policyVersion: '2018-05' } },
      erasedAt: null,
      version: 3,
    });

    // The same batch again records nothing; the same id with other content is refused.
    const again = await ledger.post(batch);
    expect(again.body.results.map((r: { status: string }) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    const reused = await ledger.post({ ...batch.events[0], source: 'invenias' });
    expect(reused).toMatchObject({ status: 409, body: { error: 'conflict', code: 'ID_REUSED' } });
  });

  it('refuses what the policy forbids, with stable codes, and records nothing of a refused batch', async () => {
    const marketing = envelope('data.collected', ref, {
      purpose: 'marketing',
      fields: { 'contact.email': values[0] },
      collectedFrom: 'subject',
    });
    expect(await ledger.post(marketing)).toMatchObject({
      status: 422,
      body: { error: 'rule', code: 'CONSENT_REQUIRED' },
    });
    const unknown = envelope('data.used', ref, { purpose: 'resale' });
    expect(await ledger.post(unknown)).toMatchObject({ status: 422, body: { code: 'UNKNOWN_PURPOSE' } });
    const good = envelope('data.used', ref, { purpose: 'security', description: 'identity check' });
    const refused = await ledger.post({ events: [good, marketing] });
    expect(refused).toMatchObject({ status: 422, body: { code: 'CONSENT_REQUIRED', index: 1 } });
    expect((await ledger.get(`/v1/subjects/${subjectId}`)).body.version).toBe(3);
  });

  it('answers bad input with 400 and every path, never quoting the input', async () => {
    const bad = { ...envelope('objection.raised', ref, { purposes: ['client-assignments'] }), id: 'nope' };
    const answer = await ledger.post({ events: [bad] });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('validation');
    expect(answer.body.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['events[0].id', 'events[0].data.grounds']),
    );
    const notJson = await ledger.post(`{"fields": {"contact.email": "${values[0]}"`);
    expect(notJson.status).toBe(400);
    expect(JSON.stringify(notJson.body)).not.toContain('ola');
    expect((await ledger.post({ events: [] })).status).toBe(400);
  });

  it('needs a token (401) of the right role (403)', async () => {
    expect((await ledger.get(`/v1/subjects/${subjectId}`, null)).status).toBe(401);
    expect((await ledger.get(`/v1/subjects/${subjectId}`, 'ingest')).status).toBe(403);
    expect((await ledger.post(envelope('data.used', ref, { purpose: 'security' }), 'auditor')).status).toBe(403);
    expect((await ledger.get(`/v1/subjects/${randomUUID()}`)).status).toBe(404);
    expect((await ledger.get('/health', null)).status).toBe(200);
  });

  it('reads the same person by an id written in capitals (a UUID is case-insensitive)', async () => {
    const upper = subjectId.toUpperCase();
    const state = await ledger.get(`/v1/subjects/${upper}`);
    expect(state.status).toBe(200);
    expect(state.body.subjectId).toBe(subjectId);
    expect(state.body.data['contact.email'].value).toBe('ola.nordmann@example.no');
    expect((await ledger.get(`/v1/subjects/${upper}/trail`)).body.subjectId).toBe(subjectId);
  });

  it('restricts a purpose while an objection is open, and ends it when upheld', async () => {
    const objection = envelope('objection.raised', ref, { purposes: ['client-assignments'], grounds: values[3] });
    expect((await ledger.post(objection)).status).toBe(201);
    const use = () =>
      envelope('data.disclosed', ref, {
        recipient: 'Assessio',
        purpose: 'client-assignments',
        fields: ['contact.email'],
      });
    expect(await ledger.post(use())).toMatchObject({ status: 422, body: { code: 'RESTRICTED' } });
    const resolved = envelope('objection.resolved', ref, {
      objectionId: objection.id,
      outcome: 'upheld',
      reason: 'grounds accepted',
    });
    expect((await ledger.post(resolved)).status).toBe(201);
    expect(await ledger.post(use())).toMatchObject({ status: 422, body: { code: 'OBJECTION_UPHELD' } });
    expect(await ledger.post({ ...resolved, id: randomUUID() })).toMatchObject({
      status: 422,
      body: { code: 'NO_SUCH_OBJECTION' },
    });
    const state = (await ledger.get(`/v1/subjects/${subjectId}`)).body;
    expect(state.objections).toEqual([
      expect.objectContaining({ id: objection.id, purposes: ['client-assignments'], status: 'upheld' }),
    ]);
    // The consent-based purpose still holds data, so no erasure of all became due; v1.1 (§8): the
    // categories held only for the ended purpose went at once.
    expect(state.status).toBe('active');
    expect(Object.keys(state.data)).toEqual(['preferences.roles']);
  });

  it('keeps the history of a correction: the old value superseded, not overwritten', async () => {
    const corrected = envelope(
      'data.corrected',
      ref,
      { fields: { 'preferences.roles': 'CEO' }, reason: 'promoted' },
      '2026-11-21T09:00:00+01:00',
    );
    expect((await ledger.post(corrected)).status).toBe(201);
    const state = (await ledger.get(`/v1/subjects/${subjectId}`)).body;
    // v1.1 (§8): work.position went with its ended purpose above; the consented preferences remain.
    expect(state.data['preferences.roles']).toMatchObject({
      value: 'CEO',
      collectedAt: '2026-11-20T10:15:00Z',
      updatedAt: '2026-11-21T09:00:00+01:00',
    });
    expect(state.lastActivityAt).toBe('2026-11-21T09:00:00+01:00');
    const trail = (await ledger.get(`/v1/subjects/${subjectId}/trail`)).body;
    expect(
      trail.entries
        .filter((e: { fields: string[] }) => e.fields.includes('preferences.roles'))
        .map((e: { type: string }) => e.type),
    ).toEqual(['data.collected', 'data.corrected']);
  });

  it('refuses erasure under a legal hold, and erases when the hold is lifted, keeping the proof', async () => {
    const hold = envelope('legal-hold.placed', ref, { reason: 'bokføringsloven § 13' });
    expect((await ledger.post(hold)).status).toBe(201);
    const erasure = envelope('erasure.requested', ref, { scope: 'all', reason: 'subject-request' });
    expect((await ledger.post(erasure)).status).toBe(201);
    let state = (await ledger.get(`/v1/subjects/${subjectId}`)).body;
    expect(state.status).toBe('active');
    expect(state.legalHolds).toEqual([{ id: hold.id, reason: 'bokføringsloven § 13' }]);

    expect(
      (await ledger.post(envelope('legal-hold.lifted', subjectId, { reason: 'period ended', holdId: hold.id }))).status,
    ).toBe(201);
    state = (await ledger.get(`/v1/subjects/${subjectId}`)).body;
    expect(state).toMatchObject({ status: 'erased', data: {}, refs: [], legalHolds: [] });
    expect(state.erasedAt).toEqual(expect.any(String));
    expect((await ledger.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`)).status).toBe(404);
    expect(await ledger.post(envelope('data.used', subjectId, { purpose: 'security' }))).toMatchObject({
      status: 422,
      body: { code: 'SUBJECT_ERASED' },
    });

    const trail = (await ledger.get(`/v1/subjects/${subjectId}/trail`)).body;
    const types = trail.entries.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['erasure.requested', 'erasure.refused', 'legal-hold.lifted', 'erasure.completed']),
    );
    // The last erasure: an earlier one (v1.1 §8) took the categories of the purpose the objection ended.
    expect(types.indexOf('erasure.refused')).toBeLessThan(types.lastIndexOf('erasure.completed'));
    const refusal = trail.entries.find((e: { type: string }) => e.type === 'erasure.refused');
    expect(refusal.details).toMatchObject({ holdIds: [hold.id], reason: 'subject-request' });
    trail.entries.forEach((e: { revision: number; previousHash: string | null }, i: number) => {
      expect(e.revision).toBe(i);
      expect(e.previousHash).toBe(i === 0 ? null : trail.entries[i - 1].hash);
    });
    const text = JSON.stringify(trail);
    for (const value of values) expect(text).not.toContain(value);
    expect(text).not.toContain(ref);

    // The same ref later is a new person.
    const later = await ledger.post(envelope('data.used', ref, { purpose: 'security' }));
    expect(later.body.results[0].subjectId).not.toBe(subjectId);
  });

  it("logs every read of the person's data: who, what, when and why", async () => {
    const accesses = await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo');
    expect(accesses.status).toBe(200);
    expect(accesses.body.accesses).toEqual(
      expect.arrayContaining([
        // The reason was sealed with the person's keys: erased above, it reads as null.
        expect.objectContaining({ principal: 'dpo-e2e', role: 'dpo', resource: 'state', reason: null }),
        expect.objectContaining({ principal: 'auditor-e2e', resource: 'ref-lookup' }),
        expect.objectContaining({ principal: 'auditor-e2e', resource: 'trail' }),
      ]),
    );
    expect((await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'auditor')).status).toBe(403);
  });

  it('keeps text with tabs, line breaks, quotes and backslashes exactly, through the read model', async () => {
    const other = `webcruiter:candidate:${randomUUID().slice(0, 8)}`;
    const channel = 'web\tform "B"\\n \\ line\r\nnext – ø 🙂';
    const posted = await ledger.post(
      envelope('consent.given', other, { purpose: 'marketing', policyVersion: '2018-05', channel }),
    );
    expect(posted.status).toBe(201);
    const state = await ledger.get(`/v1/subjects/${posted.body.results[0].subjectId}`);
    expect(state.body.consents.marketing.channel).toBe(channel);
  });

  it('puts no fingerprint of the data (ETag) and no framework name in the headers of a read', async () => {
    const response = await fetch(`${ledger.url}/v1/subjects/${subjectId}`, {
      headers: { authorization: `Bearer ${TOKENS.auditor}` },
    });
    expect(response.status).toBe(200);
    expect([response.headers.get('etag'), response.headers.get('x-powered-by')]).toEqual([null, null]);
  });

  it('logs a read of an id the ledger does not know, as the attempt it is', async () => {
    const unknown = randomUUID();
    expect((await ledger.get(`/v1/subjects/${unknown}`, 'auditor', { 'X-Access-Reason': 'case 12' })).status).toBe(404);
    expect((await ledger.get(`/v1/subjects/${unknown}/trail`, 'auditor')).status).toBe(404);
    const accesses = await ledger.get(`/v1/subjects/${unknown}/accesses`, 'dpo');
    expect(
      accesses.body.accesses.map((a: { resource: string; principal: string; reason: string | null }) => [
        a.resource,
        a.principal,
        a.reason,
      ]),
    ).toEqual([
      ['state', 'auditor-e2e', 'case 12'],
      ['trail', 'auditor-e2e', null],
    ]);
  });

  it('serves its OpenAPI document and metrics without personal data', async () => {
    const docs = await ledger.get('/docs-json', null);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/v1/events', '/v1/subjects/{subjectId}', '/v1/subjects/{subjectId}/trail']),
    );
    const metrics = await ledger.get('/metrics', 'ops');
    expect(metrics.body).toContain('ledger_envelopes_total{type="data.collected",status="recorded",channel="http"}');
    expect(metrics.body).toContain('ledger_rejections_total{code="CONSENT_REQUIRED",channel="http"}');
    expect(metrics.body).not.toContain(subjectId);
    const logs = ledger.output.join('');
    for (const value of values) expect(logs).not.toContain(value);
    expect(logs).not.toContain(ref);
  });
});
