import { randomUUID } from 'node:crypto';
import { openDeep, type Keyring } from '#ledger/crypto';
import type { InboundEnvelope } from '#ledger/domain';
import { verifyChain, type PostgresEventStore } from '#ledger/event-store';
import type { Pool } from '#ledger/postgres';
import { ProjectionRunner, SubjectStateProjection, SubjectStateReader } from '#ledger/projections';
import type { PostgresSubjectDirectory } from '#ledger/recording';
import { openLedgerFixture, type LedgerFixture } from '../../../test/support/ledger-fixture';
import { ErasureProjection } from './erasure.projection';
const envelope = (type: string, data: object, ref: string): InboundEnvelope =>
  ({ id: randomUUID(), type, occurredAt: '2026-11-20T10:15:00Z', source: 'invenias', subject: { ref }, data }) as InboundEnvelope;

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

  it('cannot resurrect an erased person by rebuilding from position 0', async () => {
    const writer = fixture.writer();
    const ref = `invenias:contact:${randomUUID()}`;
    const { outcomes } = await writer.record(
      [
        envelope('data.collected', { purpose: 'client-assignments', fields: { 'contact.email': 'gone@example.no' }, collectedFrom: 'subject' }, ref),
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
    expect(openDeep(subjectId, events[0]!.personal, keys)).toEqual({ values: { 'contact.email': null }, linkedRef: null });
  });

  it('shreds from the feed when the writer died between its append and its shredding', async () => {
    const ref = `invenias:contact:${randomUUID()}`;
    // A writer whose shredding never happens, as if the process died right after the append.
    const dying = fixture.writer({
      directory: { ...directory, resolve: directory.resolve.bind(directory), lookup: directory.lookup.bind(directory), reassign: directory.reassign.bind(directory), forget: async () => {} },
      keyring: Object.assign(Object.create(keyring) as Keyring, { destroyKeys: async () => {} }),
    });
    const { outcomes } = await dying.record(
      [
        envelope('data.collected', { purpose: 'client-assignments', fields: { 'contact.email': 'crash@example.no' }, collectedFrom: 'subject' }, ref),
        envelope('erasure.requested', { scope: 'all', reason: 'subject-request' }, ref),
      ],
      { atomic: true },
    );
    const subjectId = (outcomes[0] as { subjectId: string }).subjectId;
    keyring.evict(subjectId);
    expect((await keyring.readableKeys(subjectId)).byKid.size).toBe(2);
    expect(await directory.lookup(ref)).toBe(subjectId);

    const runner = new ProjectionRunner(store, pool, new ErasureProjection({
      destroyKeys: (ids) => keyring.destroyKeys(ids),
      forget: (id) => directory.forget(id),
    }));
    await runner.prepare();
    while ((await runner.step()) > 0);
    expect((await keyring.readableKeys(subjectId)).byKid.size).toBe(0);
    expect(await directory.lookup(ref)).toBeNull();
  });
});
