import { randomBytes, randomUUID } from 'node:crypto';
import type { InboundEnvelope } from '#ledger/domain';
import type { FeedHead } from '#ledger/event-store';
import { ProjectionRunner } from '#ledger/projections';
import { openLedgerFixture, type LedgerFixture } from '../../../../test/support/ledger-fixture';
import { suiteDatabase } from '../../../../test/support/test-database';
import { openCheckpoint, signCheckpoint } from '../checkpoint';
import { eventLeafHash } from '../leaves';
import { hashLeaf } from '../merkle';
import { verifyConsistency, verifyInclusion } from '../merkle-verify';
import { MemoryTree } from '../memory-tree';
import { noteSignerFromSeed } from '../signed-note';
import { PostgresTreeStore, type LeafInput } from './postgres-tree-store';
import { interleaveAsStored, type RecomputedLeaf } from './tree-comparison';
import { TreeProjection, treeFeed } from './tree.projection';

const leaf = (i: number): LeafInput => ({
  kind: i % 5 === 4 ? 'access' : 'event',
  sourceId: i % 5 === 4 ? String(1000 + i) : randomUUID(),
  leafHash: hashLeaf(Buffer.from(`record ${i}`)),
});

async function* feed(leaves: readonly LeafInput[]): AsyncIterable<RecomputedLeaf> {
  for (const l of leaves) yield { sourceId: l.sourceId, leafHash: l.leafHash };
}

describe('the tree store on PostgreSQL', () => {
  const db = suiteDatabase();
  let store: PostgresTreeStore;
  const leaves = Array.from({ length: 137 }, (_, i) => leaf(i));
  const memory = new MemoryTree(leaves.map((l) => l.leafHash));

  beforeAll(async () => {
    store = await PostgresTreeStore.open(db.pool);
    // Batches that overlap: a replay of a leaf, or a leaf twice in one batch, appends nothing.
    await store.append(leaves.slice(0, 10));
    await store.append([...leaves.slice(5, 40), leaves[39]!]);
    await store.append(leaves.slice(40, 41));
    const last = await store.append(leaves.slice(30));
    expect(last).toEqual({ appended: 96, treeSize: 137, rootHash: memory.root() });
  });

  it('keeps each source once, in order, under gapless log indexes', async () => {
    expect(await store.size()).toBe(137);
    expect(await store.logIndexOf('event', leaves[77]!.sourceId)).toBe(77);
    expect(await store.logIndexOf('access', leaves[79]!.sourceId)).toBe(79);
    expect(await store.logIndexOf('event', leaves[79]!.sourceId)).toBeNull();
    const indexes = await store.logIndexesOf('event', [leaves[0]!.sourceId, leaves[1]!.sourceId, randomUUID()]);
    expect([...indexes.entries()]).toEqual([
      [leaves[0]!.sourceId, 0],
      [leaves[1]!.sourceId, 1],
    ]);
    const again = await store.append(leaves.slice(100, 120));
    expect(again).toEqual({ appended: 0, treeSize: 137, rootHash: memory.root() });
  });

  it('serves proofs for every earlier size that verify against the in-memory tree', async () => {
    for (const size of [1, 2, 7, 64, 100, 137]) {
      const root = await store.rootAt(size);
      expect(root.equals(await new MemoryTree(leaves.slice(0, size).map((l) => l.leafHash)).root())).toBe(true);
      for (const index of [0, size - 1, Math.floor(size / 3)]) {
        const path = await store.inclusionProof(index, size);
        expect([size, index, verifyInclusion(leaves[index]!.leafHash, index, size, path, root)]).toEqual([
          size,
          index,
          true,
        ]);
      }
      const from = Math.max(1, Math.floor(size / 2) + 1);
      const proof = await store.consistencyProof(from, size);
      expect(verifyConsistency(from, size, proof, await store.rootAt(from), root)).toBe(true);
    }
    await expect(store.inclusionProof(5, 138)).rejects.toThrow(/no complete subtree/);
  });

  it('keeps signed checkpoints by tree size; the first for a size stands', async () => {
    const signer = noteSignerFromSeed('ledger.test', randomBytes(32).toString('base64'));
    const note = signCheckpoint({ origin: 'ledger.test', size: 100, rootHash: await store.rootAt(100) }, signer);
    expect(await store.saveCheckpoint(100, await store.rootAt(100), note)).toBe(true);
    expect(await store.saveCheckpoint(100, await store.rootAt(100), note.replace('ledger', 'x'))).toBe(false);
    const later = signCheckpoint({ origin: 'ledger.test', size: 137, rootHash: memory.root() }, signer);
    await store.saveCheckpoint(137, memory.root(), later);
    expect((await store.checkpoint(100))?.note).toBe(note);
    expect((await store.latestCheckpoint())?.treeSize).toBe(137);
    expect(await store.checkpoint(99)).toBeNull();
    expect(openCheckpoint((await store.checkpoint(100))!.note, signer.verifierKey).size).toBe(100);
  });

  it('refuses to change or remove a leaf, a subtree or a checkpoint', async () => {
    for (const sql of [
      'UPDATE ledger_tree_leaves SET leaf_hash = leaf_hash WHERE log_index = 3',
      'DELETE FROM ledger_tree_nodes WHERE level = 4',
      'DELETE FROM ledger_tree_checkpoints',
      'TRUNCATE ledger_tree_leaves',
    ]) {
      await expect(db.pool.query(sql)).rejects.toMatchObject({ code: '23001' });
    }
    expect(await store.size()).toBe(137);
  });

  it('finds the record intact against a signed head, and names the first leaf that differs or is missing', async () => {
    const head = { size: 100, rootHash: await store.rootAt(100) };
    expect(await store.recomputeAndCompare(feed(leaves), head)).toEqual({
      ok: true,
      treeSize: 100,
      storedLeavesMatch: true,
    });
    const without = (i: number) => [...leaves.slice(0, i), ...leaves.slice(i + 1)];
    expect(await store.recomputeAndCompare(feed(without(42)), head)).toEqual({
      ok: false,
      reason: 'differs',
      logIndex: 42,
    });
    expect(await store.recomputeAndCompare(feed(leaves.slice(0, 99)), head)).toEqual({
      ok: false,
      reason: 'missing',
      logIndex: 99,
    });
    const rewritten = leaves.map((l, i) => (i === 17 ? { ...l, leafHash: hashLeaf(Buffer.from('forged')) } : l));
    expect(await store.recomputeAndCompare(feed(rewritten), head)).toMatchObject({ reason: 'differs', logIndex: 17 });
    const inserted = [...leaves.slice(0, 60), leaf(999), ...leaves.slice(60)];
    expect(await store.recomputeAndCompare(feed(inserted), head)).toMatchObject({ reason: 'differs', logIndex: 60 });
    const forgedHead = { size: 100, rootHash: hashLeaf(Buffer.from('another tree')) };
    expect(await store.recomputeAndCompare(feed(leaves), forgedHead)).toEqual({
      ok: false,
      reason: 'root-differs',
      logIndex: null,
    });
  });

  it('recomputes a tree of events and access entries from one sequence per kind', async () => {
    const head = { size: 137, rootHash: await store.rootAt(137) };
    const events = leaves.filter((l) => l.kind === 'event');
    const access = leaves.filter((l) => l.kind === 'access');
    const both = (e: readonly LeafInput[], a: readonly LeafInput[]) =>
      interleaveAsStored(store, { event: feed(e), access: feed(a) }, 16);
    expect(await store.recomputeAndCompare(both(events, access), head)).toMatchObject({ ok: true, treeSize: 137 });
    // The access entry at log index 49 removed from its log: that leaf, and every later one, moves.
    const withoutOne = access.filter((l) => l !== leaves[49]);
    expect(await store.recomputeAndCompare(both(events, withoutOne), head)).toEqual({
      ok: false,
      reason: 'differs',
      logIndex: 49,
    });
    expect(await store.recomputeAndCompare(both(events.slice(0, 50), access), head)).toEqual({
      ok: false,
      reason: 'missing',
      logIndex: leaves.indexOf(events[50]!),
    });
  });
});

describe('the tree store with several writers', () => {
  const db = suiteDatabase();

  it('builds the same tree when writers interleave and one append is rolled back', async () => {
    const [first, second] = [await PostgresTreeStore.open(db.pool), await PostgresTreeStore.open(db.pool)];
    const leaves = Array.from({ length: 40 }, (_, i) => leaf(i));
    await first.append(leaves.slice(0, 7));
    await second.append(leaves.slice(7, 9));
    // The first writer's own last append, undone: the edge it remembers is not the tree's.
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await first.appendIn(client, [leaf(100), leaf(101), leaf(102)]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await second.append(leaves.slice(9, 12));
    await first.append(leaves.slice(12, 30));
    await first.append(leaves.slice(30, 33));
    await second.append(leaves.slice(33, 34));
    const last = await first.append(leaves.slice(34));
    const memory = new MemoryTree(leaves.map((l) => l.leafHash));
    expect(last).toEqual({ appended: 6, treeSize: 40, rootHash: memory.root() });
    expect((await second.rootAt(40)).equals(memory.root())).toBe(true);
    const path = await first.inclusionProof(21, 40);
    expect(verifyInclusion(leaves[21]!.leafHash, 21, 40, path, memory.root())).toBe(true);
  });
});

describe('the tree as a projection of the global feed', () => {
  let fixture: LedgerFixture;
  let runner: ProjectionRunner<FeedHead>;
  let tree: PostgresTreeStore;

  beforeAll(async () => {
    fixture = await openLedgerFixture();
    tree = await PostgresTreeStore.open(fixture.pool);
    runner = new ProjectionRunner(fixture.store, fixture.pool, new TreeProjection(tree), {
      batchSize: 3,
      feed: treeFeed(fixture.store),
      lingerMs: 60_000,
    });
    await runner.prepare();
    runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await fixture.close();
  });

  const envelope = (ref: string, purpose: string): InboundEnvelope =>
    ({
      id: randomUUID(),
      type: 'consent.given',
      occurredAt: '2026-01-01T00:00:00Z',
      source: 'webcruiter',
      actor: 'recruiter:kari',
      subject: { ref },
      data: { purpose, policyVersion: '2018-05', channel: 'web-form' },
    }) as InboundEnvelope;

  it('appends every stored event as the next leaf, in feed order, exactly once', async () => {
    const writer = fixture.writer();
    let checkpoint = null;
    for (let i = 0; i < 4; i++) {
      const ref = `webcruiter:candidate:${randomUUID()}`;
      const result = await writer.record([envelope(ref, 'marketing'), envelope(ref, 'client-assignments')], {
        atomic: true,
      });
      checkpoint = result.checkpoint ?? checkpoint;
    }
    // A waiter cuts the linger short: the runner applies at once, not a minute later.
    expect(await runner.waitFor(checkpoint!, 10_000)).toBe(true);
    const events = await fixture.store.readFeed(null, 1000);
    expect(events.length).toBeGreaterThanOrEqual(8);
    expect(await tree.size()).toBe(events.length);
    const expected = new MemoryTree(events.map((e) => eventLeafHash(e.hash)));
    expect((await tree.rootAt(events.length)).equals(expected.root())).toBe(true);
    for (const [i, e] of events.entries()) expect(await tree.logIndexOf('event', e.eventId)).toBe(i);

    async function* recomputed(): AsyncIterable<RecomputedLeaf> {
      for (const e of events) yield { sourceId: e.eventId, leafHash: eventLeafHash(e.hash) };
    }
    const head = { size: events.length, rootHash: expected.root() };
    expect(await tree.recomputeAndCompare(recomputed(), head)).toMatchObject({ ok: true });
  });

  it('refuses a rebuild, which would unsign every checkpoint', async () => {
    await expect(runner.rebuild()).rejects.toThrow(/append-only/);
    expect(await tree.size()).toBeGreaterThan(0);
  });
});
