import { randomBytes, randomUUID } from 'node:crypto';
import type { InboundEnvelope } from '#ledger/domain';
import { PostgresEventStore, verifyChain } from '#ledger/event-store';
import { createPool, type Pool } from '#ledger/postgres';
import { defaultPolicy } from '../../domain/src/testing/envelopes';
import { createTestDatabase } from '../../../test/support/test-database';
import { BatchRejected, IdReusedError } from './errors';
import { streamIdOf } from '#ledger/domain';
import { LedgerWriter } from './ledger-writer';
import { PostgresSubjectDirectory } from './subject-directory/subject-directory';
import { Keyring } from '#ledger/crypto';
import { validateEnvelope } from '#ledger/envelope';

const policy = defaultPolicy();
const key = randomBytes(32);

const envelope = (
  type: string,
  data: object,
  subject: object = { ref: 'webcruiter:candidate:4711' },
): InboundEnvelope =>
  ({
    id: randomUUID(),
    type,
    occurredAt: '2026-11-20T10:15:00Z',
    source: 'webcruiter',
    subject,
    data,
  }) as InboundEnvelope;
const used = (ref: string) => envelope('data.used', { purpose: 'security' }, { ref });

describe('LedgerWriter on PostgreSQL', () => {
  let drop: () => Promise<void>;
  let pool: Pool;
  let store: PostgresEventStore;
  let keyring: Keyring;
  const directory = () => PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref));
  const writer = async () => new LedgerWriter({ store, directory: await directory(), keyring, policy });

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    pool = createPool(db.url, { max: 20 });
    store = await PostgresEventStore.open({ url: db.url, pool });
    keyring = await Keyring.open(pool, key);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await drop();
  });

  it('records 50 concurrent writers on one subject exactly once each, with gapless revisions', async () => {
    const ref = `webcruiter:candidate:${randomUUID()}`;
    // Five instances (separate caches and locks) so that writers really race in the store.
    const writers = await Promise.all(Array.from({ length: 5 }, writer));
    const envelopes = Array.from({ length: 50 }, () => used(ref));
    const results = await Promise.all(envelopes.map((e, i) => writers[i % 5]!.record([e], { atomic: true })));
    const subjectIds = new Set(results.map((r) => (r.outcomes[0] as { subjectId: string }).subjectId));
    expect(subjectIds.size).toBe(1);
    const events = await store.readStream(streamIdOf([...subjectIds][0]!));
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(events.filter((e) => e.data.linkedRefSystem === 'webcruiter')).toHaveLength(1);
    expect(
      events
        .filter((e) => e.type === 'data.used')
        .map((e) => e.eventId)
        .sort(),
    ).toEqual(envelopes.map((e) => e.id).sort());
    expect(verifyChain(events)).toBeNull();
  });

  it('records a replayed envelope once and refuses its id with other content', async () => {
    const w = await writer();
    const e = used(`webcruiter:candidate:${randomUUID()}`);
    const first = await w.record([e], { atomic: true });
    const again = await w.record([e, e], { atomic: true });
    expect(first.outcomes[0]).toMatchObject({ status: 'recorded' });
    expect(again.outcomes.map((o) => o.status)).toEqual(['duplicate', 'duplicate']);
    expect(again.checkpoint).toBeNull();
    const reused = { ...e, source: 'invenias' };
    await expect(w.record([reused], { atomic: true })).rejects.toEqual(new BatchRejected(0, new IdReusedError(e.id)));
  });

  it('records an envelope resent with its id in capitals once: the edge gives each id one form', async () => {
    const e = used(`webcruiter:candidate:${randomUUID()}`);
    const checked = (raw: object) => (validateEnvelope(raw) as { envelope: InboundEnvelope }).envelope;
    await (await writer()).record([checked(e)], { atomic: true });
    const again = await (await writer()).record([checked({ ...e, id: e.id.toUpperCase() })], { atomic: true });
    expect(again.outcomes[0]).toMatchObject({ status: 'duplicate', id: e.id });
  });

  it('records nothing of an all-or-nothing batch with one rule broken', async () => {
    const w = await writer();
    const ref = `webcruiter:candidate:${randomUUID()}`;
    const good = used(ref);
    const bad = envelope(
      'data.collected',
      { purpose: 'marketing', fields: { 'contact.email': 'x' }, collectedFrom: 'subject' },
      { ref },
    );
    const error = await w.record([good, bad], { atomic: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchRejected);
    expect((error as BatchRejected).index).toBe(1);
    expect((error as BatchRejected).error).toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect(await store.findEnvelopes([good.id])).toEqual([]);
  });

  it('records the good envelopes of a lenient batch and reports the rejected', async () => {
    const w = await writer();
    const ref = `webcruiter:candidate:${randomUUID()}`;
    const bad = envelope('objection.resolved', { objectionId: randomUUID(), outcome: 'upheld', reason: 'r' }, { ref });
    const result = await w.record([used(ref), bad, used(ref)], { atomic: false });
    expect(result.outcomes.map((o) => o.status)).toEqual(['recorded', 'rejected', 'recorded']);
    expect(result.outcomes[1]).toMatchObject({ error: { code: 'NO_SUCH_OBJECTION' } });
  });

  it("forgets an erased subject's refs: the same ref later starts a new subject", async () => {
    const w = await writer();
    const ref = `webcruiter:candidate:${randomUUID()}`;
    const first = await w.record(
      [used(ref), envelope('erasure.requested', { scope: 'all', reason: 'subject-request' }, { ref })],
      { atomic: true },
    );
    const erasedId = (first.outcomes[0] as { subjectId: string }).subjectId;
    expect(first.erasedSubjectIds).toEqual([erasedId]);
    expect(await (await directory()).lookup(ref)).toBeNull();
    const later = await w.record([used(ref)], { atomic: true });
    expect((later.outcomes[0] as { subjectId: string }).subjectId).not.toBe(erasedId);
    const byId = await w.record([envelope('data.used', { purpose: 'security' }, { id: erasedId })], { atomic: false });
    expect(byId.outcomes[0]).toMatchObject({ status: 'rejected', error: { code: 'SUBJECT_ERASED' } });
  });

  describe('keys an erasure retired but a crash left alive', () => {
    const collect = (ref: string, fields: Record<string, string>) =>
      envelope('data.collected', { purpose: 'client-assignments', fields, collectedFrom: 'subject' }, { ref });
    const liveCategories = async (subjectId: string) =>
      (
        await pool.query(
          'SELECT category FROM ledger_data_keys WHERE subject_id = $1 AND destroyed_at IS NULL ORDER BY category',
          [subjectId],
        )
      ).rows.map((r: { category: string }) => r.category);
    // A writer that dies between its append and its shredding.
    const dyingWriter = async () =>
      new LedgerWriter({
        store,
        directory: await directory(),
        policy,
        keyring: Object.assign(Object.create(keyring) as Keyring, { destroyLiveKeys: async () => [] }),
      });

    it.each([
      ['the writer that erased, from what it sealed', true],
      ['another writer, from the stored erasure', false],
    ])('are destroyed before anything more is sealed, by %s', async (_, sameWriter) => {
      const ref = `webcruiter:candidate:${randomUUID()}`;
      const dying = await dyingWriter();
      const erasing = [
        collect(ref, { 'contact.email': 'a@example.no', 'work.position': 'CFO' }),
        envelope('erasure.requested', { scope: ['contact'], reason: 'subject-request' }, { ref }),
      ];
      const subjectId = ((await dying.record(erasing, { atomic: true })).outcomes[0] as { subjectId: string })
        .subjectId;
      expect(await liveCategories(subjectId)).toEqual(['contact', 'subject', 'work']);

      await (sameWriter ? dying : await writer()).record([collect(ref, { 'work.position': 'CEO' })], { atomic: true });
      expect(await liveCategories(subjectId)).toEqual(['subject', 'work']);
    });
  });

  it('never stores a ref in clear in the directory', async () => {
    const ref = `webcruiter:candidate:${randomUUID()}`;
    await (await writer()).record([used(ref)], { atomic: true });
    const { rows } = await pool.query('SELECT ref_key FROM ledger_subject_refs');
    expect(rows.some((r: { ref_key: string }) => r.ref_key.includes(ref.split(':')[2]!))).toBe(false);
  });
});

describe('LedgerWriter on a store whose envelope index may lag (as KurrentDB)', () => {
  it('still records a replayed envelope once, from the subject stream alone, and refuses a reused id', async () => {
    const db = await createTestDatabase();
    const pool = createPool(db.url);
    try {
      const store = await PostgresEventStore.open({ url: db.url, pool });
      // The index answers nothing, as one that has not caught up yet would.
      const lagging = Object.assign(Object.create(store) as PostgresEventStore, {
        globallyIdempotent: false,
        findEnvelopes: async () => [],
      });
      const keyring = await Keyring.open(pool, randomBytes(32));
      const directory = await PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref));
      const fresh = () => new LedgerWriter({ store: lagging, directory, keyring, policy });
      const e = used(`webcruiter:candidate:${randomUUID()}`);
      await fresh().record([e], { atomic: true });
      const again = await fresh().record([e], { atomic: false });
      expect(again.outcomes[0]).toMatchObject({ status: 'duplicate' });
      const reused = await fresh().record([{ ...e, source: 'other' }], { atomic: false });
      expect(reused.outcomes[0]).toMatchObject({ status: 'rejected', error: { code: 'ID_REUSED' } });
      expect(await store.findEnvelopes([e.id])).toHaveLength(1);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
