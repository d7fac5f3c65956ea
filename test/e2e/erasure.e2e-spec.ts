import { randomUUID } from 'node:crypto';
import { PostgresEventStore, verifyChain } from '#ledger/event-store';
import { dumpDatabase } from '../support/dump-database';
import { withoutLogIndex } from '../support/trail';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

const PERSONAL = {
  'contact.email': 'kari.nordmann.e2e@example.no',
  'contact.phone': '+47 912 34 567',
  'education.degree': 'Siviløkonom NHH 2009',
  'work.position': 'Finansdirektør Fjordkraft',
  'preferences.roles': 'Styreverv i energisektoren',
  'assessment.result': 'OPQ32 profil: høy struktur',
  'documents.cv': 'CV-tekst med ekstraordinær hemmelighet',
};
const EVIDENCE = 'Signert samtykkeskjema nr. 55123 fra Kari';
const GROUNDS = 'Jeg ønsker ikke å bli kontaktet av hodejegere mer';

/**
 * Erasure that keeps the proof, on the built service: nothing personal in a dump of the database
 * before or after erasure, the trail and its hashes unchanged, the chain intact; partial erasure;
 * legal holds; the certificate; the retention sweep.
 */
describe('erasure keeps the proof (built service, HTTP, PostgreSQL)', () => {
  let ledger: LedgerProcess;
  let databaseUrl: string;
  let stop: () => Promise<void>;
  const ref = `webcruiter:candidate:kari-${randomUUID().slice(0, 8)}`;
  const subjectOf = async (r: string) =>
    (await ledger.get(`/v1/subjects?ref=${encodeURIComponent(r)}`)).body.subjectId as string;
  const secrets = [...Object.values(PERSONAL), EVIDENCE, GROUNDS, ref];
  const expectNoSecrets = (text: string) => {
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  beforeAll(async () => {
    ({ ledger, databaseUrl, stop } = await LedgerProcess.onFreshDatabase());
  });
  afterAll(() => stop?.());

  it('keeps no personal value in clear in the database, before erasure or after, and the trail intact', async () => {
    const events = [
      envelope('consent.given', ref, {
        purpose: 'candidate-relationship',
        policyVersion: '2018-05',
        channel: 'web-form',
        evidence: EVIDENCE,
      }),
      envelope('data.collected', ref, {
        purpose: 'candidate-relationship',
        fields: PERSONAL,
        collectedFrom: 'processor',
      }),
      envelope('data.disclosed', ref, {
        recipient: 'Assessio',
        purpose: 'candidate-relationship',
        fields: ['contact.email', 'assessment.result'],
      }),
      envelope('objection.raised', ref, { purposes: ['client-assignments'], grounds: GROUNDS }),
    ];
    expect((await ledger.post({ events })).status).toBe(201);
    const subjectId = await subjectOf(ref);
    const state = (await ledger.get(`/v1/subjects/${subjectId}`)).body;
    expect(state.data['documents.cv'].value).toBe(PERSONAL['documents.cv']);
    expect(state.refs).toEqual([ref]);

    const before = await dumpDatabase(databaseUrl);
    // The dump holds the events (sealed), or it would prove nothing.
    expect(before.text).toMatch(/enc:v3:/);
    expectNoSecrets(before.text);
    const trailBefore = withoutLogIndex((await ledger.get(`/v1/subjects/${subjectId}/trail`)).body.entries);

    expect(
      (await ledger.post(envelope('erasure.requested', subjectId, { scope: 'all', reason: 'subject-request' }))).status,
    ).toBe(201);
    const after = await dumpDatabase(databaseUrl);
    expectNoSecrets(after.text);
    console.log(`dump searched with ${after.how}: ${after.text.length} characters`);

    const trailAfter = (await ledger.get(`/v1/subjects/${subjectId}/trail`)).body.entries;
    expect(withoutLogIndex(trailAfter.slice(0, trailBefore.length))).toEqual(trailBefore);
    // v1.1 (§8): the subject's erasure request is answered by the erasure, and the answer recorded.
    expect(trailAfter.map((e: { type: string }) => e.type).slice(-3)).toEqual([
      'erasure.requested',
      'erasure.completed',
      'request.answered',
    ]);
    const store = await PostgresEventStore.open({ url: databaseUrl });
    const stream = await store.readStream(`subject-${subjectId}`);
    await store.close();
    expect(stream.map((e) => e.hash)).toEqual(trailAfter.map((e: { hash: string }) => e.hash));
    expect(verifyChain(stream)).toBeNull();
    // The sealed values are still in the store, and nobody can open them any more.
    expect(JSON.stringify(stream[1]!.personal)).toMatch(/enc:v3:/);

    const certificate = (await ledger.get(`/v1/erasures/${subjectId}`)).body;
    expect(certificate).toMatchObject({
      subjectId,
      status: 'erased',
      erasures: [{ reason: 'subject-request', scope: 'all', outcome: 'completed', fields: Object.keys(PERSONAL) }],
      notify: expect.arrayContaining([
        { system: 'webcruiter', as: ['source'], acknowledgedAt: null },
        { system: 'Assessio', as: ['recipient'], acknowledgedAt: null },
      ]),
    });
    expect(certificate.keysDestroyed.map((k: { category: string }) => k.category).sort()).toEqual([
      'assessment',
      'contact',
      'documents',
      'education',
      'preferences',
      'subject',
      'work',
    ]);
    expect(certificate.erasures[0].keyIds.sort()).toEqual(
      certificate.keysDestroyed.map((k: { keyId: string }) => k.keyId).sort(),
    );
    expect(certificate.projectionsPurged.length).toBeGreaterThan(0);
    expect(certificate.trailIntegrity).toEqual({ verified: true });
    expectNoSecrets(JSON.stringify(certificate));

    expect(
      (
        await ledger.post(
          envelope('erasure.acknowledged', subjectId, { system: 'Assessio' }, undefined, { source: 'assessio' }),
        )
      ).status,
    ).toBe(201);
    const acknowledged = (await ledger.get(`/v1/erasures/${subjectId}`)).body;
    expect(acknowledged.notify.find((n: { system: string }) => n.system === 'Assessio').acknowledgedAt).toEqual(
      expect.any(String),
    );
  });

  it('erases one category and leaves the others readable', async () => {
    const other = `invenias:contact:${randomUUID().slice(0, 8)}`;
    await ledger.post({
      events: [
        envelope('data.collected', other, {
          purpose: 'client-assignments',
          fields: { 'contact.email': 'x@example.no', 'work.position': 'CTO' },
          collectedFrom: 'subject',
        }),
        envelope('erasure.requested', other, { scope: ['work'], reason: 'purpose-ended' }),
      ],
    });
    const subjectId = await subjectOf(other);
    const state = (await ledger.get(`/v1/subjects/${subjectId}`)).body;
    expect(state.status).toBe('active');
    expect(Object.keys(state.data)).toEqual(['contact.email']);
    expect(state.data['contact.email'].value).toBe('x@example.no');
    // New work data after the partial erasure gets a key of its own, readable.
    await ledger.post(
      envelope('data.collected', other, {
        purpose: 'client-assignments',
        fields: { 'work.position': 'CEO' },
        collectedFrom: 'subject',
      }),
    );
    expect((await ledger.get(`/v1/subjects/${subjectId}`)).body.data['work.position'].value).toBe('CEO');
    const certificate = (await ledger.get(`/v1/erasures/${subjectId}`)).body;
    expect(certificate.status).toBe('partially-erased');
    expect(certificate.keysDestroyed.map((k: { category: string }) => k.category)).toEqual(['work']);
  });

  it('refuses erasure under a legal hold and records why; lifting the hold lets the due erasure run', async () => {
    const held = `visma:applicant:${randomUUID().slice(0, 8)}`;
    const hold = envelope('legal-hold.placed', held, { reason: 'Bokføringsloven § 13', until: '2031-01-01T00:00:00Z' });
    await ledger.post({
      events: [
        envelope('data.collected', held, {
          purpose: 'credit-check-invoicing',
          fields: { 'contact.name': 'Held Person' },
          collectedFrom: 'subject',
        }),
        hold,
      ],
    });
    const subjectId = await subjectOf(held);
    await ledger.post(envelope('erasure.requested', held, { scope: 'all', reason: 'subject-request' }));
    let trail = (await ledger.get(`/v1/subjects/${subjectId}/trail`)).body.entries;
    // v1.1 (§8): the refusal answers the subject's request, recorded after it.
    expect(trail.at(-2)).toMatchObject({ type: 'erasure.refused', details: { holdIds: [hold.id] } });
    expect(trail.at(-1)).toMatchObject({ type: 'request.answered' });
    expect((await ledger.get(`/v1/erasures/${subjectId}`)).body).toMatchObject({
      status: 'refused',
      erasures: [{ outcome: 'refused', refusedUnderHolds: [hold.id] }],
    });
    expect((await ledger.get(`/v1/subjects/${subjectId}`)).body.data['contact.name'].value).toBe('Held Person');

    await ledger.post(envelope('legal-hold.lifted', held, { reason: 'period over', holdId: hold.id }));
    trail = (await ledger.get(`/v1/subjects/${subjectId}/trail`)).body.entries;
    expect(trail.at(-1)).toMatchObject({ type: 'erasure.completed', details: { reason: 'subject-request' } });
    expect((await ledger.get(`/v1/subjects/${subjectId}`)).body).toMatchObject({ status: 'erased', data: {} });
  });

  it('sweeps retention: the idle are erased, the held are not; a dry run names them, erasing nobody', async () => {
    const idle = `webcruiter:candidate:idle-${randomUUID().slice(0, 8)}`;
    const keptByLaw = `webcruiter:candidate:held-${randomUUID().slice(0, 8)}`;
    // Collected six years ago: past the five years of the policy now, so no sweep needs a future asOf.
    const longAgo = '2020-11-20T10:15:00Z';
    await ledger.post({
      events: [
        envelope(
          'data.collected',
          idle,
          { purpose: 'client-assignments', fields: { 'contact.email': 'idle@example.no' }, collectedFrom: 'subject' },
          longAgo,
        ),
        envelope(
          'data.collected',
          keptByLaw,
          { purpose: 'client-assignments', fields: { 'contact.email': 'held@example.no' }, collectedFrom: 'subject' },
          longAgo,
        ),
        envelope('legal-hold.placed', keptByLaw, { reason: 'court order 22-123456' }, longAgo),
      ],
    });
    const [idleId, heldId] = [await subjectOf(idle), await subjectOf(keptByLaw)];
    const state = (await ledger.get(`/v1/subjects/${idleId}`)).body;
    expect(state.retentionDueAt).toBe('2025-11-20T10:15:00.000Z');
    const trailOf = async (id: string) =>
      withoutLogIndex(
        (await ledger.get(`/v1/subjects/${id}/trail`)).body.entries as Array<{ type: string; logIndex: number | null }>,
      );
    const [idleTrail, heldTrail] = [await trailOf(idleId), await trailOf(heldId)];

    expect((await ledger.request('POST', '/v1/retention/sweep', 'ingest', {})).status).toBe(403);
    expect((await ledger.request('POST', '/v1/retention/sweep', 'ops', { asOf: 'soon' })).status).toBe(400);
    expect((await ledger.request('POST', '/v1/retention/sweep', 'ops', { dryRun: 'yes' })).status).toBe(400);
    // A date far ahead would erase everyone: refused, and nobody is touched.
    for (const asOf of ['2999-01-01T00:00:00Z', new Date(Date.now() + 10 * 60_000).toISOString()]) {
      const future = await ledger.request('POST', '/v1/retention/sweep', 'ops', { asOf });
      expect(future).toEqual({
        status: 400,
        body: { error: 'validation', details: [{ path: 'asOf', message: expect.stringContaining('5 minutes') }] },
      });
    }
    const notYet = await ledger.request('POST', '/v1/retention/sweep', 'ops', { asOf: '2025-01-01T00:00:00Z' });
    expect(notYet.body.erased).not.toContain(idleId);

    const dryRun = await ledger.request('POST', '/v1/retention/sweep', 'ops', { dryRun: true });
    expect(dryRun.status).toBe(200);
    expect(Object.keys(dryRun.body).sort()).toEqual(['asOf', 'wouldErase', 'wouldRefuse']);
    expect(dryRun.body.wouldErase).toContain(idleId);
    expect(dryRun.body.wouldErase).not.toContain(heldId);
    expect(dryRun.body.wouldRefuse).toEqual([heldId]);
    expect((await ledger.get(`/v1/subjects/${idleId}`)).body).toMatchObject({
      status: 'active',
      data: { 'contact.email': { value: 'idle@example.no' } },
    });
    expect(await trailOf(idleId)).toEqual(idleTrail);
    expect(await trailOf(heldId)).toEqual(heldTrail);
    expect((await ledger.get(`/v1/erasures/${idleId}`)).body.erasures).toEqual([]);

    const sweep = await ledger.request('POST', '/v1/retention/sweep', 'ops', {});
    expect(sweep.status).toBe(200);
    expect([...sweep.body.erased].sort()).toEqual([...dryRun.body.wouldErase].sort());
    expect(sweep.body.refused).toEqual(dryRun.body.wouldRefuse);
    expect((await ledger.get(`/v1/subjects/${idleId}`)).body.status).toBe('erased');
    expect((await ledger.get(`/v1/subjects/${heldId}`)).body.status).toBe('active');
    expect((await ledger.get(`/v1/erasures/${idleId}`)).body.erasures[0]).toMatchObject({
      reason: 'retention-expired',
      outcome: 'completed',
    });
    const again = await ledger.request('POST', '/v1/retention/sweep', 'ops', { dryRun: true, asOf: sweep.body.asOf });
    expect(again.body).toEqual({ asOf: sweep.body.asOf, wouldErase: [], wouldRefuse: [heldId] });

    // A second sweep of the same date records no second refusal.
    const trailLength = (await ledger.get(`/v1/subjects/${heldId}/trail`)).body.entries.length;
    await ledger.request('POST', '/v1/retention/sweep', 'ops', { asOf: sweep.body.asOf });
    expect((await ledger.get(`/v1/subjects/${heldId}/trail`)).body.entries).toHaveLength(trailLength);
  });
});
