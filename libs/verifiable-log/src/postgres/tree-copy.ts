import type { PostgresTreeStore } from './postgres-tree-store';

export interface TreeCopyResult {
  readonly leaves: number;
  readonly checkpoints: number;
  /** Signed sizes whose root the copied leaves do not give (none when the copy holds). */
  readonly mismatched: readonly number[];
}

/**
 * Copies the tree into another store's: its leaves in log order (the target builds its subtrees
 * from them, so nothing derived is trusted), then its signed checkpoints, each checked against
 * the copied tree's root at its size. Resumable: the target skips every source it holds. A
 * target that holds leaves of its own first is not this tree any more, which the check names.
 */
export async function copyTree(
  source: PostgresTreeStore,
  target: PostgresTreeStore,
  onProgress: (leaves: number) => void = () => undefined,
  pageSize = 5000,
): Promise<TreeCopyResult> {
  let leaves = 0;
  for (let from = 0; ; from += pageSize) {
    const page = await source.leaves(from, pageSize);
    if (page.length === 0) break;
    leaves += (await target.append(page.map(({ kind, sourceId, leafHash }) => ({ kind, sourceId, leafHash }))))
      .appended;
    onProgress(from + page.length);
  }
  const targetSize = await target.size();
  const mismatched: number[] = [];
  let checkpoints = 0;
  for (let after = 0; ;) {
    const page = await source.checkpoints(after, 1000);
    if (page.length === 0) break;
    for (const c of page) {
      if (c.treeSize > targetSize || !(await target.rootAt(c.treeSize)).equals(c.rootHash)) {
        mismatched.push(c.treeSize);
        continue;
      }
      if (await target.saveCheckpoint(c.treeSize, c.rootHash, c.note, c.signedAt)) checkpoints += 1;
    }
    after = page[page.length - 1]!.treeSize;
  }
  return { leaves, checkpoints, mismatched };
}
