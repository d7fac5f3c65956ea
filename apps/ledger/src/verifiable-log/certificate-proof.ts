import type { TrailEntry } from '#ledger/projections';
import type { InclusionProofDocument, PostgresTreeStore, TreeLog } from '#ledger/verifiable-log';

/**
 * What an erasure certificate carries to be checked offline (`verify-proof --certificate`): the
 * inclusion proof of its `erasure.completed` event, that event's id and hash (whose leaf the proof
 * must hold), and the signed checkpoint the proof leads to.
 */
export interface CertificateProof extends InclusionProofDocument {
  readonly eventId: string;
  readonly eventHash: string;
  readonly checkpoint: string;
}

/** The proof of the trail's last `erasure.completed`, or null while it is not in a signed tree. */
export async function certificateProof(
  entries: readonly TrailEntry[],
  tree: PostgresTreeStore,
  log: TreeLog,
): Promise<CertificateProof | null> {
  const completed = entries.findLast((e) => e.type === 'erasure.completed');
  if (!completed) return null;
  // The checkpoint first, so that the proof is made against exactly the tree it signed.
  const checkpoint = await tree.latestCheckpoint();
  if (!checkpoint) return null;
  const proof = await log.eventInclusion(completed.eventId, checkpoint.treeSize);
  return proof && { ...proof, eventId: completed.eventId, eventHash: completed.hash, checkpoint: checkpoint.note };
}
