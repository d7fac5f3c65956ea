import { hashLeaf, type PostgresTreeStore, type RecomputedLeaf } from '#ledger/verifiable-log';
import type { Pool } from '#ledger/postgres';

interface AccessRow {
  readonly id: string;
  readonly at: Date;
  readonly principal: string;
  readonly role: string;
  readonly subject_id: string;
  readonly resource: string;
  readonly reason: string | null;
}

const ACCESS_COLUMNS = 'id, at, principal, role, subject_id, resource, reason';

/**
 * An access-log entry's leaf: RFC 9162's leaf hash of the entry as one JSON array of its columns
 * (the reason as stored, sealed), so that any change to a kept entry changes its leaf.
 */
export const accessLeafHash = (r: AccessRow): Buffer =>
  hashLeaf(
    Buffer.from(JSON.stringify([r.id, r.at.toISOString(), r.principal, r.role, r.subject_id, r.resource, r.reason])),
  );

const asLeaf = (r: AccessRow) => ({ kind: 'access' as const, sourceId: r.id, leafHash: accessLeafHash(r) });

/** The id of the last access entry the tree holds (0 if none): entries commit in id order, so it resumes there. */
async function lastAccessInTree(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ source_id: string }>(
    "SELECT source_id FROM ledger_tree_leaves WHERE kind = 'access' ORDER BY log_index DESC LIMIT 1",
  );
  return rows[0]?.source_id ?? '0';
}

/**
 * Appends the access entries the tree does not hold yet, in id order, a page per transaction.
 * Crash-safe and exactly once: the tree is its own checkpoint, and skips a source it holds.
 */
export async function appendPendingAccess(pool: Pool, tree: PostgresTreeStore, pageSize = 5000): Promise<number> {
  let after = await lastAccessInTree(pool);
  let appended = 0;
  for (;;) {
    const { rows } = await pool.query<AccessRow>(
      `SELECT ${ACCESS_COLUMNS} FROM ledger_access_log WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, pageSize],
    );
    if (rows.length === 0) return appended;
    appended += (await tree.append(rows.map(asLeaf))).appended;
    after = rows[rows.length - 1]!.id;
    if (rows.length < pageSize) return appended;
  }
}

/** Every access entry's leaf recomputed from the log itself, in id order (for `verify --checkpoint`). */
export async function* accessLeavesInIdOrder(pool: Pool, pageSize = 2000): AsyncIterable<RecomputedLeaf> {
  let after = '0';
  for (;;) {
    const { rows } = await pool.query<AccessRow>(
      `SELECT ${ACCESS_COLUMNS} FROM ledger_access_log WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, pageSize],
    );
    for (const r of rows) yield { sourceId: r.id, leafHash: accessLeafHash(r) };
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}
