import { randomBytes, randomUUID } from 'node:crypto';
import { suiteDatabase } from '../../../../test/support/test-database';
import { eventLeafHash } from '../leaves';
import { verifyConsistencyOffline, verifyInclusionOffline } from '../offline-verifier';
import { noteSignerFromSeed } from '../signed-note';
import { PostgresTreeStore } from './postgres-tree-store';
import { TreeLog } from './tree-log';

const ORIGIN = 'ledger.test/tree-log';

describe('signing the tree as it grows and serving its proofs', () => {
  const db = suiteDatabase();
  const signer = noteSignerFromSeed(ORIGIN, randomBytes(32).toString('base64'));
  const events = Array.from({ length: 30 }, () => ({ eventId: randomUUID(), hash: randomBytes(32).toString('hex') }));
  const leaves = events.map((e) => ({ kind: 'event' as const, sourceId: e.eventId, leafHash: eventLeafHash(e.hash) }));
  let store: PostgresTreeStore;
  let log: TreeLog;

  beforeAll(async () => {
    store = await PostgresTreeStore.open(db.pool);
    log = new TreeLog(store, signer, ORIGIN);
  });

  it('signs nothing while the tree is empty or has not grown, and a new checkpoint once it has', async () => {
    expect(await log.signIfGrown()).toBeNull();
    await store.append(leaves.slice(0, 11));
    const first = await log.signIfGrown();
    expect(first).toMatchObject({ treeSize: 11 });
    expect(first!.note.split('\n').slice(0, 2)).toEqual([ORIGIN, '11']);
    expect(await log.signIfGrown()).toBeNull();
    await store.append(leaves.slice(11));
    expect(await log.signIfGrown()).toMatchObject({ treeSize: 30 });
    expect((await store.latestCheckpoint())?.treeSize).toBe(30);
  });

  it("proves an event's inclusion so that an inspector can check it offline", async () => {
    const proof = await log.eventInclusion(events[7]!.eventId);
    expect(proof).toMatchObject({ logIndex: 7, treeSize: 30, leafHash: TreeLog.eventLeafHashHex(events[7]!.hash) });
    const note = (await store.checkpoint(30))!.note;
    const checked = verifyInclusionOffline(proof!, note, log.verifierKey, {
      expectedLeafHash: TreeLog.eventLeafHashHex(events[7]!.hash),
    });
    expect(checked.ok).toBe(true);
    const earlier = await log.eventInclusion(events[7]!.eventId, 11);
    expect(verifyInclusionOffline(earlier!, (await store.checkpoint(11))!.note, log.verifierKey).ok).toBe(true);
  });

  it('has no proof for an event not yet in a tree of that size, nor beyond the tree', async () => {
    expect(await log.eventInclusion(events[20]!.eventId, 11)).toBeNull();
    expect(await log.eventInclusion(randomUUID())).toBeNull();
    expect(await log.eventInclusion(events[0]!.eventId, 31)).toBeNull();
    expect(await log.consistency(11, 31)).toBeNull();
  });

  it('proves the later checkpoint extends the earlier one', async () => {
    const proof = await log.consistency(11, 30);
    const [older, newer] = [(await store.checkpoint(11))!.note, (await store.checkpoint(30))!.note];
    expect(verifyConsistencyOffline(older, newer, proof!, log.verifierKey)).toMatchObject({ ok: true });
  });
});
