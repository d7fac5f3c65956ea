import { randomBytes, randomUUID } from 'node:crypto';
import { Keyring, kidsIn, openDeep, placeInPersonal } from '#ledger/crypto';
import type { InboundEnvelope } from '#ledger/domain';
import { PostgresEventStore, verifyChain } from '#ledger/event-store';
import { createPool, type Pool } from '#ledger/postgres';
import { ProjectionRunner, SubjectStateProjection, SubjectStateReader } from '#ledger/projections';
import { LedgerWriter, PostgresSubjectDirectory } from '#ledger/recording';
import { defaultPolicy } from '../../domain/src/testing/envelopes';
import { openLedgerFixture, type LedgerFixture } from '../../../test/support/ledger-fixture';
import { createTestDatabase } from '../../../test/support/test-database';
import { ErasureProjection, type Shredder } from './erasure.projection';
const envelope = (type: string, data: object, ref: string): InboundEnvelope =>
  ({
    id: randomUUID(),
    type,
    occurredAt: '2026-11-20T10:15:00Z',
    source: 'invenias',
    subject: { ref },
    data,
  }) as InboundEnvelope;

describe('crypto-shredding', () => {
  let fixture: LedgerFixture;
  let pool: Pool;
  let store: PostgresEventStore;
  let keyring: Keyring;
  let directory: PostgresSubjectDirectory;

  beforeAll(async () => {
    fixture = await openLedgerFixture();
    ({ pool, store, keyring, directory } = fixture);
  });
  afterAll(() => fixture.close());
  const shredder = (): Shredder => ({
    destroyKeys: (ids) => keyring.destroyKeys(ids),
    destroyLiveKeys: (erasures) => keyring.destroyLiveKeys(erasures),
    readStream: (subjectId) => store.readStream(`subject-${subjectId}`),
    forget: (id) => directory.forget(id),
  });

  it('cannot resurrect an erased person by rebuilding from position 0', async () => {
    const writer = fixture.writer();
    const ref = `invenias:contact:${randomUUID()}`;
    const { outcomes } = await writer.record(
      [
        envelope(
          'data.collected',
          { purpose: 'client-assignments', fields: { 'contact.email': 'gone@example.no' }, collectedFrom: 'subject' },
          ref,
        ),
        envelope('erasure.requested', { scope: 'all', reason: 'subject-request' }, ref),
      ],
      { atomic: true },
    );
    const subjectId = (outcomes[0] as { subjectId: string }).subjectId;
    const runner = new ProjectionRunner(store, pool, new SubjectStateProjection(60));
    await runner.prepare();
    await runner.rebuild();
    while ((await runner.step()) > 0);
    const view = await new SubjectStateReader(pool).get(subjectId);
    expect(view).toMatchObject({ status: 'erased', data: {}, refs: [] });

    const events = await store.readStream(`subject-${subjectId}`);
    expect(verifyChain(events)).toBeNull();
    const keys = await keyring.readableKeys(subjectId);
    expect(keys.byKid.size).toBe(0);
    // The sealed value is still stored; it opens to nothing.
    expect(openDeep(subjectId, events[0]!.personal, keys, placeInPersonal)).toEqual({
      values: { 'contact.email': null },
      linkedRef: null,
    });
  });

  it('shreds from the feed when the writer died between its append and its shredding', async () => {
    const ref = `invenias:contact:${randomUUID()}`;
    // A writer whose shredding never happens, as if the process died right after the append.
    const dying = fixture.writer({
      directory: {
        ...directory,
        resolve: directory.resolve.bind(directory),
        lookup: directory.lookup.bind(directory),
        reassign: directory.reassign.bind(directory),
        forget: async () => {},
      },
      keyring: Object.assign(Object.create(keyring) as Keyring, {
        destroyKeys: async () => {},
        destroyLiveKeys: async () => [],
      }),
    });
    const { outcomes } = await dying.record(
      [
        envelope(
          'data.collected',
          { purpose: 'client-assignments', fields: { 'contact.email': 'crash@example.no' }, collectedFrom: 'subject' },
          ref,
        ),
        envelope('erasure.requested', { scope: 'all', reason: 'subject-request' }, ref),
      ],
      { atomic: true },
    );
    const subjectId = (outcomes[0] as { subjectId: string }).subjectId;
    keyring.evict(subjectId);
    expect((await keyring.readableKeys(subjectId)).byKid.size).toBe(2);
    expect(await directory.lookup(ref)).toBe(subjectId);

    const runner = new ProjectionRunner(store, pool, new ErasureProjection(shredder()));
    await runner.prepare();
    while ((await runner.step()) > 0);
    expect((await keyring.readableKeys(subjectId)).byKid.size).toBe(0);
    expect(await directory.lookup(ref)).toBeNull();
  });

  it('shreds from the feed live keys an erasure missed; keeps a key made for values after a partial one', async () => {
    const collect = (ref: string, fields: Record<string, string>) =>
      envelope('data.collected', { purpose: 'client-assignments', fields, collectedFrom: 'subject' }, ref);
    const subjectOf = (r: { outcomes: readonly unknown[] }) => (r.outcomes[0] as { subjectId: string }).subjectId;
    const live = async (subjectId: string) =>
      (
        await pool.query(
          'SELECT category FROM ledger_data_keys WHERE subject_id = $1 AND destroyed_at IS NULL ORDER BY category',
          [subjectId],
        )
      ).rows.map((r) => r.category);
    const shredsNothing = { destroyKeys: async () => {}, destroyLiveKeys: async () => [] };
    // A writer that names no key in its erasures and shreds nothing, as one that knew only a stale cache.
    const blind = fixture.writer({
      keyring: Object.assign(Object.create(keyring) as Keyring, {
        ...shredsNothing,
        keysAtErasure: async () => ({ keys: new Map(), asOf: new Date().toISOString() }),
      }),
    });
    const erasedRef = `invenias:contact:${randomUUID()}`;
    const erased = subjectOf(
      await fixture.writer().record([collect(erasedRef, { 'contact.email': 'a@example.no' })], { atomic: true }),
    );
    await blind.record([envelope('erasure.requested', { scope: 'all', reason: 'subject-request' }, erasedRef)], {
      atomic: true,
    });
    const erasure = (await store.readStream(`subject-${erased}`)).find((e) => e.type === 'erasure.completed')!;
    expect((erasure.data as { keyIds: string[] }).keyIds).toEqual([]);
    expect(await live(erased)).toEqual(['contact', 'subject']);

    // A writer that dies before shredding a partial erasure followed by a value of the same category.
    const dying = fixture.writer({ keyring: Object.assign(Object.create(keyring) as Keyring, shredsNothing) });
    const partialRef = `invenias:contact:${randomUUID()}`;
    const partial = subjectOf(
      await dying.record(
        [
          collect(partialRef, { 'work.position': 'Before' }),
          envelope('erasure.requested', { scope: ['work'], reason: 'subject-request' }, partialRef),
          collect(partialRef, { 'work.position': 'After' }),
        ],
        { atomic: true },
      ),
    );
    expect(await live(partial)).toEqual(['subject', 'work', 'work']); // the first work key retired, not destroyed

    const runner = new ProjectionRunner(store, pool, new ErasureProjection(shredder()));
    await runner.prepare();
    while ((await runner.step()) > 0);
    expect(await live(erased)).toEqual([]);
    expect(await live(partial)).toEqual(['subject', 'work']);
    keyring.evict(partial);
    const keys = await keyring.readableKeys(partial);
    const opened = (await store.readStream(`subject-${partial}`))
      .filter((e) => e.type === 'data.collected')
      .map((e) => (openDeep(partial, e.personal, keys, placeInPersonal) as { values: object }).values);
    expect(opened).toEqual([{ 'work.position': null }, { 'work.position': 'After' }]);
  });
});

describe('two writer instances with stale key caches, then an erasure', () => {
  const master = randomBytes(32);
  let drop: () => Promise<void>;
  let pool: Pool;
  let store: PostgresEventStore;
  const instances: Array<{ keyring: Keyring; writer: LedgerWriter }> = [];

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    pool = createPool(db.url, { max: 20 });
    store = await PostgresEventStore.open({ url: db.url, pool });
    for (let i = 0; i < 2; i += 1) {
      // A key cache that outlives the race by far: each instance keeps believing what it read first.
      const keyring = await Keyring.open(pool, master, { cacheTtlMs: 3_600_000 });
      const directory = await PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref));
      instances.push({ keyring, writer: new LedgerWriter({ store, directory, keyring, policy: defaultPolicy() }) });
    }
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await drop();
  });

  const collect = (ref: string, fields: Record<string, string>) =>
    envelope('data.collected', { purpose: 'client-assignments', fields, collectedFrom: 'subject' }, ref);
  const liveKeys = async (subjectId: string) =>
    (
      await pool.query<{ category: string }>(
        'SELECT category FROM ledger_data_keys WHERE subject_id = $1 AND destroyed_at IS NULL ORDER BY category',
        [subjectId],
      )
    ).rows.map((r) => r.category);

  it('leaves no live key of the person, so no sealed value of the stream opens', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const people = Array.from({ length: 8 }, () => `invenias:contact:${randomUUID()}`);
    const subjectIds: string[] = [];
    for (const ref of people) {
      const { outcomes } = await a.writer.record([collect(ref, { 'contact.email': 'kari@example.no' })], {
        atomic: true,
      });
      const subjectId = (outcomes[0] as { subjectId: string }).subjectId;
      subjectIds.push(subjectId);
      // Both instances cache the person's keys as they are now: no work key.
      for (const { keyring } of instances)
        expect([...(await keyring.readableKeys(subjectId)).active.keys()].sort()).toEqual(['contact', 'subject']);
    }

    // Both instances collect work fields of each person at once: each believes there is no work key.
    await Promise.all(
      people.flatMap((ref) => [
        a.writer.record([collect(ref, { 'work.position': 'Daglig leder' })], { atomic: true }),
        b.writer.record([collect(ref, { 'work.employer': 'Fjord Shipping AS' })], { atomic: true }),
      ]),
    );
    for (const subjectId of subjectIds) {
      // One work key: the loser used the winner's.
      expect(await liveKeys(subjectId)).toEqual(['contact', 'subject', 'work']);
      const keys = await (await Keyring.open(pool, master)).readableKeys(subjectId);
      const opened = (await store.readStream(`subject-${subjectId}`)).map((e) =>
        openDeep(subjectId, e.personal, keys, placeInPersonal),
      );
      expect(opened.flatMap((p) => Object.values((p as { values?: object } | null)?.values ?? {}))).toEqual(
        expect.arrayContaining(['kari@example.no', 'Daglig leder', 'Fjord Shipping AS']),
      );
    }

    // The erasure goes through either instance, each with its own stale cache.
    await Promise.all(
      people.map((ref, i) =>
        instances[i % 2]!.writer.record(
          [envelope('erasure.requested', { scope: 'all', reason: 'subject-request' }, ref)],
          { atomic: true },
        ),
      ),
    );
    for (const subjectId of subjectIds) {
      expect(await liveKeys(subjectId)).toEqual([]);
      const stream = await store.readStream(`subject-${subjectId}`);
      const named = new Set<string>();
      for (const e of stream) if (e.personal) kidsIn(e.personal, named);
      expect(named.size).toBeGreaterThanOrEqual(3);
      // Every key left in the table, opened afresh: none of them opens a value of the stream.
      const left = await (await Keyring.open(pool, master)).liveKeys([subjectId]);
      expect(left.get(subjectId)).toEqual([]);
      const keys = await (await Keyring.open(pool, master)).readableKeys(subjectId);
      for (const e of stream) {
        const opened = JSON.stringify(openDeep(subjectId, e.personal, keys, placeInPersonal));
        expect(opened).not.toMatch(/kari@|Daglig|Fjord|invenias/);
      }
      const erasure = stream.find((e) => e.type === 'erasure.completed')!;
      expect((erasure.data as { keyIds: string[] }).keyIds).toHaveLength(3);
    }
  });

  it('gives a value collected after an erasure in the same batch a key of its own, which stays', async () => {
    const ref = `invenias:contact:${randomUUID()}`;
    const { outcomes } = await instances[0]!.writer.record(
      [
        collect(ref, { 'work.position': 'Before' }),
        envelope('erasure.requested', { scope: ['work'], reason: 'subject-request' }, ref),
        collect(ref, { 'work.position': 'After' }),
      ],
      { atomic: true },
    );
    const subjectId = (outcomes[0] as { subjectId: string }).subjectId;
    // Both work keys may be made in one statement, at one time: which is which shows in the values below.
    const { rows } = await pool.query(
      'SELECT category, destroyed_at IS NULL AS live FROM ledger_data_keys WHERE subject_id = $1',
      [subjectId],
    );
    expect(
      rows
        .filter((r) => r.category === 'work')
        .map((r) => r.live)
        .sort(),
    ).toEqual([false, true]);
    const keys = await (await Keyring.open(pool, master)).readableKeys(subjectId);
    const values = (await store.readStream(`subject-${subjectId}`))
      .filter((e) => e.type === 'data.collected')
      .map((e) => openDeep(subjectId, e.personal, keys, placeInPersonal) as { values: Record<string, string | null> });
    expect(values.map((v) => v.values['work.position'])).toEqual([null, 'After']);
  });

  it('removes a key made for an append that failed, and keeps the keys in use', async () => {
    const ref = `invenias:contact:${randomUUID()}`;
    const { outcomes } = await instances[0]!.writer.record([collect(ref, { 'contact.email': 'x@example.no' })], {
      atomic: true,
    });
    const subjectId = (outcomes[0] as { subjectId: string }).subjectId;
    const failing = Object.assign(Object.create(store) as PostgresEventStore, {
      append: async () => {
        throw new Error('disk full');
      },
    });
    const { keyring } = instances[1]!;
    const writer = new LedgerWriter({
      store: failing,
      directory: await PostgresSubjectDirectory.open(pool, (r) => keyring.mac('ref', r)),
      keyring,
      policy: defaultPolicy(),
    });
    await expect(writer.record([collect(ref, { 'education.degree': 'Master' })], { atomic: true })).rejects.toThrow(
      'disk full',
    );
    expect(await liveKeys(subjectId)).toEqual(['contact', 'subject']);
  });
});
