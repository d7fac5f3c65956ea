import { inTransaction, migrate, type Pool, type PoolClient } from '#ledger/postgres';
import type { LeafKind } from '../leaves';
import { consistencyProof, hashChildren, inclusionProof, rootHash, type NodeId, type NodeReader } from '../merkle';
import { appendLeaves, frontierRoot, readFrontier, type Frontier } from '../tree-appender';
import { FOUND_LEAVES_SQL, LeafGenerations, probeParameters, type OpenGeneration } from './leaf-generations';
import { TREE_STORE_MIGRATIONS } from './postgres-tree-store.migrations';
import {
  recomputeAndCompare,
  type ComparisonResult,
  type RecomputedLeaf,
  type SignedTreeHead,
} from './tree-comparison';

type Queryable = Pool | PoolClient;

export interface LeafInput {
  readonly kind: LeafKind;
  /** The event id, or the access-log entry id. */
  readonly sourceId: string;
  /** The RFC 9162 leaf hash (`eventLeafHash` for an event). */
  readonly leafHash: Buffer;
}

export interface StoredLeaf extends LeafInput {
  readonly logIndex: number;
}

export interface AppendOutcome {
  /** How many of the leaves were new (the others were in the tree already). */
  readonly appended: number;
  readonly treeSize: number;
  readonly rootHash: Buffer;
}

export interface StoredCheckpoint {
  readonly treeSize: number;
  readonly rootHash: Buffer;
  readonly note: string;
  readonly signedAt: Date;
}

/** Serialises appends: each takes the tree's size and right edge, and adds after them. */
const APPEND_LOCK = 'ledger-verifiable-log:append';

export interface TreeStoreOptions {
  /** Leaves per generation of the source index (see LeafGenerations). @defaultValue LEAF_GENERATION_SIZE */
  readonly leafGenerationSize?: number;
  /** Told of a failed build of a sealed generation's filter (retried later; the index answers meanwhile). */
  readonly onLeafIndexFault?: (error: unknown) => void;
}

/**
 * The ledger's Merkle tree in PostgreSQL. Its durable state is its leaves: the tree size is the
 * number of leaves, and every complete subtree is stored once, so nothing is ever updated.
 */
export class PostgresTreeStore {
  /** The right edge this instance last appended to, reused while the tree's tip is still its own. */
  private readonly edge = new RememberedEdge();

  private constructor(
    private readonly pool: Pool,
    private readonly generations: LeafGenerations,
  ) {}

  static async open(pool: Pool, options: TreeStoreOptions = {}): Promise<PostgresTreeStore> {
    await migrate(pool, 'verifiable-log', TREE_STORE_MIGRATIONS);
    const generations = new LeafGenerations(pool, options.leafGenerationSize, options.onLeafIndexFault);
    await generations.open();
    return new PostgresTreeStore(pool, generations);
  }

  /** Waits for a filter build in hand (the pool stays the caller's). */
  close(): Promise<void> {
    return this.generations.close();
  }

  /** Appends in one transaction of its own. */
  append(leaves: readonly LeafInput[]): Promise<AppendOutcome> {
    return inTransaction(this.pool, (client) => this.appendIn(client, leaves));
  }

  /**
   * Appends inside the caller's transaction (a projection's, which moves its checkpoint with it).
   * A leaf whose source is in the tree already, or earlier in the batch, is skipped. Three
   * statements whatever the batch: the lock, the tree's tip with the batch's known sources, and
   * one insert of the leaves (into the open generation, or one it opens) and the stored subtrees
   * they complete.
   */
  async appendIn(client: PoolClient, leaves: readonly LeafInput[]): Promise<AppendOutcome> {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [APPEND_LOCK]);
    const tip = await readTip(client, leaves, this.generations);
    const fresh = withoutKnown(leaves, tip.known);
    const placement = this.generations.place(tip.open, tip.size);
    const frontier = this.edge.at(tip) ?? (await readFrontier(this.reader(client), tip.size));
    const { frontier: next, nodes: completed } = appendLeaves(
      frontier,
      fresh.map((l) => l.leafHash),
    );
    const nodes = completed.filter((n) => n.level >= LOWEST_STORED_LEVEL);
    if (fresh.length > 0) {
      await client.query(
        `WITH opened AS (
           INSERT INTO ledger_tree_leaf_generations (generation, first_index) SELECT $8, $1 WHERE $9
         ), leaves AS (
           INSERT INTO ledger_tree_leaves (log_index, generation, kind, source_id, leaf_hash)
           SELECT $1::bigint + i.ord - 1, $8, i.kind, i.source_id, i.leaf_hash
           FROM unnest($2::text[], $3::text[], $4::bytea[]) WITH ORDINALITY AS i (kind, source_id, leaf_hash, ord)
         )
         INSERT INTO ledger_tree_nodes (level, node_index, hash)
         SELECT * FROM unnest($5::smallint[], $6::bigint[], $7::bytea[])`,
        [
          tip.size,
          fresh.map((l) => l.kind),
          fresh.map((l) => l.sourceId),
          fresh.map((l) => l.leafHash),
          nodes.map((n) => n.level),
          nodes.map((n) => n.index),
          nodes.map((n) => n.hash),
          placement.generation,
          placement.opens,
        ],
      );
      this.edge.remember(next, fresh[fresh.length - 1]!.leafHash);
    }
    return { appended: fresh.length, treeSize: next.size, rootHash: frontierRoot(next) };
  }

  /** The number of leaves: one index lookup, since log indexes are gapless from 0. */
  async size(db: Queryable = this.pool): Promise<number> {
    const { rows } = await db.query<{ log_index: string }>(
      'SELECT log_index FROM ledger_tree_leaves ORDER BY log_index DESC LIMIT 1',
    );
    return rows.length === 0 ? 0 : Number(rows[0]!.log_index) + 1;
  }

  /** Reads complete subtrees: the leaves table for level 0, the nodes table above it. */
  reader(db: Queryable = this.pool): NodeReader {
    return { read: (nodes) => readNodes(db, nodes) };
  }

  rootAt(treeSize: number): Promise<Buffer> {
    return rootHash(this.reader(), treeSize);
  }

  async inclusionProof(logIndex: number, treeSize: number): Promise<Buffer[]> {
    return inclusionProof(this.reader(), logIndex, treeSize);
  }

  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    return consistencyProof(this.reader(), from, to);
  }

  async logIndexOf(kind: LeafKind, sourceId: string): Promise<number | null> {
    return (await this.logIndexesOf(kind, [sourceId])).get(sourceId) ?? null;
  }

  /** The log indexes of several sources at once (for a trail page); absent ones are not in the tree yet. */
  async logIndexesOf(kind: LeafKind, sourceIds: readonly string[]): Promise<Map<string, number>> {
    this.generations.poll();
    const { rows } = await this.pool.query<{ source_id: string; log_index: string }>(
      `WITH ${FOUND_LEAVES_SQL} SELECT source_id, log_index FROM found`,
      probeParameters(
        this.generations,
        sourceIds.map((sourceId) => ({ kind, sourceId })),
      ),
    );
    return new Map(rows.map((r) => [r.source_id, Number(r.log_index)]));
  }

  /**
   * Keeps a signed checkpoint; a second one for the same size is ignored (the first stands).
   * @param signedAt when it was signed, for a checkpoint copied from another store. @defaultValue now
   */
  async saveCheckpoint(treeSize: number, root: Buffer, note: string, signedAt?: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO ledger_tree_checkpoints (tree_size, root_hash, note, signed_at)
       VALUES ($1, $2, $3, coalesce($4, now()))
       ON CONFLICT (tree_size) DO NOTHING`,
      [treeSize, root, note, signedAt ?? null],
    );
    return rowCount === 1;
  }

  /** The signed checkpoints above `afterSize`, smallest first, a page at a time. */
  async checkpoints(afterSize: number, limit: number): Promise<StoredCheckpoint[]> {
    return this.checkpointsWhere('WHERE tree_size > $1 ORDER BY tree_size LIMIT $2', [afterSize, limit]);
  }

  async checkpoint(treeSize: number): Promise<StoredCheckpoint | null> {
    return this.oneCheckpoint('WHERE tree_size = $1', [treeSize]);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.oneCheckpoint('ORDER BY tree_size DESC LIMIT 1', []);
  }

  private async oneCheckpoint(clause: string, params: unknown[]): Promise<StoredCheckpoint | null> {
    return (await this.checkpointsWhere(clause, params))[0] ?? null;
  }

  private async checkpointsWhere(clause: string, params: unknown[]): Promise<StoredCheckpoint[]> {
    const { rows } = await this.pool.query<{ tree_size: string; root_hash: Buffer; note: string; signed_at: Date }>(
      `SELECT tree_size, root_hash, note, signed_at FROM ledger_tree_checkpoints ${clause}`,
      params,
    );
    return rows.map((row) => ({
      treeSize: Number(row.tree_size),
      rootHash: row.root_hash,
      note: row.note,
      signedAt: row.signed_at,
    }));
  }

  /**
   * Whether the record, recomputed leaf by leaf in feed order, still makes the tree `head` signed:
   * ok, or the first leaf that differs or is missing (`verify --checkpoint`).
   */
  recomputeAndCompare(
    leavesInFeedOrder: AsyncIterable<RecomputedLeaf>,
    head: SignedTreeHead,
  ): Promise<ComparisonResult> {
    return recomputeAndCompare(this, leavesInFeedOrder, head);
  }

  /** The stored leaves from `from`, in log order, a page at a time (for recomputing the tree). */
  async leaves(from: number, limit: number): Promise<StoredLeaf[]> {
    const { rows } = await this.pool.query<{ log_index: string; kind: LeafKind; source_id: string; leaf_hash: Buffer }>(
      `SELECT log_index, kind, source_id, leaf_hash FROM ledger_tree_leaves
       WHERE log_index >= $1 ORDER BY log_index LIMIT $2`,
      [from, limit],
    );
    return rows.map((r) => ({
      logIndex: Number(r.log_index),
      kind: r.kind,
      sourceId: r.source_id,
      leafHash: r.leaf_hash,
    }));
  }
}

/** The tree's size, last leaf and open generation, and which of the batch's sources it holds already. */
interface Tip {
  readonly size: number;
  readonly lastLeaf: Buffer | null;
  readonly open: OpenGeneration;
  /** `kind sourceId` of each source of the batch that is in the tree. */
  readonly known: ReadonlySet<string>;
}

const sourceKey = (kind: string, sourceId: string) => `${kind} ${sourceId}`;

async function readTip(client: PoolClient, leaves: readonly LeafInput[], generations: LeafGenerations): Promise<Tip> {
  const { rows } = await client.query<{
    log_index: string | null;
    leaf_hash: Buffer | null;
    generation: number;
    first_index: string;
    known: string[];
  }>(
    `WITH ${FOUND_LEAVES_SQL}
     SELECT last.log_index, last.leaf_hash, open.generation, open.first_index::text,
            ARRAY(SELECT kind || ' ' || source_id FROM found) AS known
     FROM (SELECT generation, first_index FROM ledger_tree_leaf_generations ORDER BY generation DESC LIMIT 1) AS open
     LEFT JOIN LATERAL (SELECT log_index, leaf_hash FROM ledger_tree_leaves ORDER BY log_index DESC LIMIT 1) AS last
       ON true`,
    probeParameters(generations, leaves),
  );
  const row = rows[0]!;
  return {
    size: row.log_index === null ? 0 : Number(row.log_index) + 1,
    lastLeaf: row.leaf_hash,
    open: { generation: row.generation, firstIndex: Number(row.first_index) },
    known: new Set(row.known),
  };
}

function withoutKnown(leaves: readonly LeafInput[], known: ReadonlySet<string>): LeafInput[] {
  const seen = new Set(known);
  return leaves.filter((leaf) => {
    const key = sourceKey(leaf.kind, leaf.sourceId);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The right edge after this instance's last append, with that append's last leaf. It is the
 * tree's edge exactly when the tree still ends at that size with that leaf (a leaf's source is
 * unique, so no other append ends the same way); after a rollback, or another writer's append, the
 * edge is read again.
 */
class RememberedEdge {
  private last: { readonly frontier: Frontier; readonly lastLeaf: Buffer } | null = null;

  at(tip: Tip): Frontier | null {
    const last = this.last;
    if (!last || !tip.lastLeaf || last.frontier.size !== tip.size || !last.lastLeaf.equals(tip.lastLeaf)) return null;
    return last.frontier;
  }

  remember(frontier: Frontier, lastLeaf: Buffer): void {
    this.last = { frontier, lastLeaf };
  }
}

/**
 * Complete subtrees below this level are not stored: one is hashed again from its few leaves
 * when a proof needs it, so an append writes a row for one subtree in sixteen instead of for
 * nearly every leaf, and a proof reads a few more leaves in the same query.
 */
export const LOWEST_STORED_LEVEL = 4;

/** The leaves under a complete subtree below the stored levels. */
const leavesUnder = ({ level, index }: NodeId): number[] =>
  Array.from({ length: 2 ** level }, (_, i) => index * 2 ** level + i);

/** The RFC 9162 hash of a complete subtree from its leaves' hashes (a power of two of them). */
function subtreeHash(hashes: readonly Buffer[]): Buffer {
  let level = hashes;
  while (level.length > 1)
    level = Array.from({ length: level.length / 2 }, (_, i) => hashChildren(level[2 * i]!, level[2 * i + 1]!));
  return level[0]!;
}

/** One round trip, whatever the levels: a proof's latency is this query. */
async function readNodes(db: Queryable, nodes: readonly NodeId[]): Promise<Buffer[]> {
  if (nodes.length === 0) return [];
  const computed = nodes.filter((n) => n.level < LOWEST_STORED_LEVEL);
  const leaves = [...new Set(computed.flatMap(leavesUnder))];
  const stored = nodes.filter((n) => n.level >= LOWEST_STORED_LEVEL);
  // Named, so each connection plans it once: a proof is then one bound execution.
  const { rows } = await db.query<{ level: number; node_index: string; hash: Buffer }>({
    name: 'ledger-tree-read-nodes',
    text: `SELECT 0 AS level, log_index AS node_index, leaf_hash AS hash
             FROM ledger_tree_leaves WHERE log_index = ANY($1::bigint[])
           UNION ALL
           SELECT n.level, n.node_index, n.hash
             FROM unnest($2::smallint[], $3::bigint[]) AS wanted (level, node_index)
             JOIN ledger_tree_nodes n USING (level, node_index)`,
    values: [leaves, stored.map((n) => n.level), stored.map((n) => n.index)],
  });
  const found = new Map(rows.map((r) => [`${r.level}:${r.node_index}`, r.hash]));
  const missing = (level: number, index: number) =>
    new RangeError(`the tree holds no complete subtree at level ${level}, index ${index}`);
  return nodes.map((node) => {
    if (node.level >= LOWEST_STORED_LEVEL) {
      const hash = found.get(`${node.level}:${node.index}`);
      if (!hash) throw missing(node.level, node.index);
      return hash;
    }
    const under = leavesUnder(node).map((i) => found.get(`0:${i}`));
    if (under.some((h) => !h)) throw missing(node.level, node.index);
    return subtreeHash(under as Buffer[]);
  });
}
