import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createPool, migrate, type Pool } from '#ledger/postgres';
import { createTestDatabase } from '../../../../test/support/test-database';
import { hashLeaf } from '../merkle';
import { MemoryTree } from '../memory-tree';
import { PostgresTreeStore, type LeafInput } from './postgres-tree-store';
import { TREE_STORE_MIGRATIONS } from './postgres-tree-store.migrations';

const leaf = (i: number): LeafInput => ({
  kind: i % 5 === 4 ? 'access' : 'event',
  sourceId: i % 5 === 4 ? String(1000 + i) : randomUUID(),
  leafHash: hashLeaf(Buffer.from(`record ${i} ${randomUUID()}`)),
});

interface GenerationRow {
  generation: number;
  first: number;
  filtered: boolean;
  /** Leaves whose generation is this one. */
  leaves: number;
  /** Of those, leaves outside its range of log indexes (from its first to the next one's). */
  outside: number;
}

async function generations(db: Client): Promise<GenerationRow[]> {
  const { rows } = await db.query<GenerationRow>(
    `SELECT g.generation, g.first_index::int AS first, g.filter IS NOT NULL AS filtered,
            (SELECT count(*) FROM ledger_tree_leaves l WHERE l.generation = g.generation)::int AS leaves,
            (SELECT count(*) FROM ledger_tree_leaves l WHERE l.generation = g.generation
               AND (l.log_index < g.first_index OR l.log_index >= coalesce(
                 (SELECT n.first_index FROM ledger_tree_leaf_generations n WHERE n.generation = g.generation + 1),
                 'Infinity'::numeric)))::int AS outside
     FROM ledger_tree_leaf_generations g ORDER BY g.generation`,
  );
  return rows;
}

/** Asks (a lookup starts the background builds) until `done`; slow on a loaded machine. */
async function until<T>(ask: () => Promise<unknown>, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await ask();
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not there: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the tree store keeps leaf sources in generations', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const database = async (): Promise<{ pool: Pool; client: Client }> => {
    const db = await createTestDatabase('machine-or-embedded');
    cleanups.push(db.drop);
    const pool = createPool(db.url, { max: 4 });
    cleanups.push(() => pool.end());
    const client = new Client({ connectionString: db.url });
    await client.connect();
    cleanups.push(() => client.end());
    return { pool, client };
  };
  const open = async (pool: Pool, leafGenerationSize = 4) => {
    const store = await PostgresTreeStore.open(pool, { leafGenerationSize });
    cleanups.push(() => store.close());
    return store;
  };

  it('opens a generation per few leaves, filters the sealed ones, and refuses and finds every source', async () => {
    const { pool, client } = await database();
    const store = await open(pool);
    const leaves = Array.from({ length: 23 }, (_, i) => leaf(i));
    for (let i = 0; i < leaves.length; i += 3) await store.append(leaves.slice(i, i + 3));

    const before = await generations(client);
    // Each generation a range of log indexes; the first append past a full one opens the next.
    expect(before.map((g) => [g.first, g.leaves, g.outside])).toEqual([
      [0, 6, 0],
      [6, 6, 0],
      [12, 6, 0],
      [18, 5, 0],
    ]);
    // Refused and found before any filter is built (every generation probed) and after.
    const check = async (reader: PostgresTreeStore) => {
      const again = await reader.append(leaves);
      expect(again.appended).toBe(0);
      expect(again.treeSize).toBe(23);
      const events = leaves.filter((l) => l.kind === 'event');
      const found = await reader.logIndexesOf('event', [...events.map((l) => l.sourceId), randomUUID()]);
      expect(events.map((l) => found.get(l.sourceId))).toEqual(
        leaves.flatMap((l, i) => (l.kind === 'event' ? [i] : [])),
      );
      expect(found.size).toBe(events.length);
      expect(await reader.logIndexOf('access', leaves[19]!.sourceId)).toBe(19);
      expect(await reader.logIndexOf('access', String(1000 + 23))).toBeNull();
    };
    await check(store);
    const filtered = await until(
      () => store.logIndexOf('event', randomUUID()),
      () => generations(client),
      (gs) => gs.every((g) => g.filtered === g.generation < 3),
    );
    expect(filtered.map((g) => g.filtered)).toEqual([true, true, true, false]);
    await check(store);
    // Another instance takes the stored filters up.
    await check(await open(pool));
    const root = (await store.append([])).rootHash;
    expect(root.equals(new MemoryTree(leaves.map((l) => l.leafHash)).root())).toBe(true);
  });

  it('keeps the leaves of a store it migrates as generation 0, refused and found, and opens the next', async () => {
    const { pool, client } = await database();
    await migrate(pool, 'verifiable-log', TREE_STORE_MIGRATIONS.slice(0, 2));
    const old = Array.from({ length: 10 }, (_, i) => leaf(i));
    await client.query(
      `INSERT INTO ledger_tree_leaves (log_index, kind, source_id, leaf_hash)
       SELECT i.ord - 1, i.kind, i.source_id, i.leaf_hash
       FROM unnest($1::text[], $2::text[], $3::bytea[]) WITH ORDINALITY AS i (kind, source_id, leaf_hash, ord)`,
      [old.map((l) => l.kind), old.map((l) => l.sourceId), old.map((l) => l.leafHash)],
    );
    const store = await open(pool);
    expect((await store.append(old)).appended).toBe(0);
    const next = Array.from({ length: 3 }, (_, i) => leaf(10 + i));
    expect((await store.append([...old.slice(2, 4), ...next])).appended).toBe(3);
    const gs = await until(
      () => store.logIndexOf('event', old[0]!.sourceId),
      () => generations(client),
      (rows) => rows[0]!.filtered,
    );
    expect(gs.map((g) => [g.generation, g.first, g.leaves, g.filtered, g.outside])).toEqual([
      [0, 0, 10, true, 0],
      [1, 10, 3, false, 0],
    ]);
    expect(await store.logIndexOf('event', old[0]!.sourceId)).toBe(0);
    expect(await store.logIndexOf('event', next[0]!.sourceId)).toBe(10);
    expect((await store.append([...old, ...next])).appended).toBe(0);
  });

  it('undoes a generation opened by an append that is rolled back', async () => {
    const { pool, client } = await database();
    const store = await open(pool);
    const leaves = Array.from({ length: 9 }, (_, i) => leaf(i));
    await store.append(leaves.slice(0, 4));
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await store.appendIn(tx, leaves.slice(4, 6));
      await tx.query('ROLLBACK');
    } finally {
      tx.release();
    }
    expect((await generations(client)).map((g) => [g.first, g.leaves])).toEqual([[0, 4]]);
    await store.append(leaves.slice(4));
    expect((await generations(client)).map((g) => [g.first, g.leaves, g.outside])).toEqual([
      [0, 4, 0],
      [4, 5, 0],
    ]);
    expect((await store.append(leaves)).appended).toBe(0);
  });
});
