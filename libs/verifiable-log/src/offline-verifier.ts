import { openCheckpoint, type TreeCheckpoint } from './checkpoint';
import { HASH_SIZE } from './merkle';
import { verifyConsistency, verifyInclusion } from './merkle-verify';
import { NoteError } from './signed-note';

/**
 * What an inspector runs with no database and no service: a proof, the signed checkpoints it was
 * made against, and the verifier key they keep. Each answer is ok or a stable code.
 */

/** An inclusion proof as `GET /v1/proofs/inclusion` serves it (RFC 9162 §2.1.3). */
export interface InclusionProofDocument {
  readonly logIndex: number;
  readonly treeSize: number;
  /** The RFC 9162 leaf hash, hex. */
  readonly leafHash: string;
  readonly path: readonly string[];
}

/** A consistency proof as `GET /v1/proofs/consistency` serves it (RFC 9162 §2.1.4). */
export interface ConsistencyProofDocument {
  readonly from: number;
  readonly to: number;
  readonly path: readonly string[];
}

export type OfflineFailure =
  /** The checkpoint's note is malformed, unsigned by this key, or its signature fails. */
  | 'CHECKPOINT_NOT_VERIFIED'
  /** The proof is not well-formed (sizes, hex hashes). */
  | 'MALFORMED_PROOF'
  /** The proof was made for another tree size than the checkpoint's, or another log. */
  | 'CHECKPOINT_MISMATCH'
  /** The leaf is not the one expected (the event's hash gives another leaf hash). */
  | 'LEAF_MISMATCH'
  /** The proof does not lead to the signed tree head. */
  | 'PROOF_FAILED';

export type OfflineResult<T> =
  ({ readonly ok: true } & T) | { readonly ok: false; readonly code: OfflineFailure; readonly detail: string };

const fail = (code: OfflineFailure, detail: string) => ({ ok: false, code, detail }) as const;

const isHashHex = (h: unknown): h is string =>
  typeof h === 'string' && h.length === HASH_SIZE * 2 && /^[0-9a-f]+$/iu.test(h);

const decodeHashes = (hexes: readonly unknown[]): Buffer[] | null =>
  Array.isArray(hexes) && hexes.every(isHashHex) ? hexes.map((h) => Buffer.from(h, 'hex')) : null;

const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function open(note: string, verifierKey: string, origin?: string): TreeCheckpoint | NoteError {
  try {
    return openCheckpoint(note, verifierKey, origin);
  } catch (error) {
    if (error instanceof NoteError) return error;
    throw error;
  }
}

/**
 * Whether the leaf in `proof` is in the tree the signed `checkpoint` commits to. With
 * `expectedLeafHash` (hex; e.g. `eventLeafHash` of an event's hash) it must also be that leaf.
 */
export function verifyInclusionOffline(
  proof: InclusionProofDocument,
  checkpointNote: string,
  verifierKey: string,
  options: { readonly expectedLeafHash?: string; readonly origin?: string } = {},
): OfflineResult<{ checkpoint: TreeCheckpoint }> {
  const checkpoint = open(checkpointNote, verifierKey, options.origin);
  if (checkpoint instanceof NoteError) return fail('CHECKPOINT_NOT_VERIFIED', checkpoint.code);
  const [leaf] = decodeHashes([proof.leafHash]) ?? [];
  const path = decodeHashes(proof.path ?? []);
  if (!isSize(proof.logIndex) || !isSize(proof.treeSize) || !leaf || !path) {
    return fail('MALFORMED_PROOF', 'logIndex, treeSize, leafHash and path');
  }
  if (proof.treeSize !== checkpoint.size) return fail('CHECKPOINT_MISMATCH', 'treeSize');
  if (options.expectedLeafHash !== undefined && options.expectedLeafHash.toLowerCase() !== leaf.toString('hex')) {
    return fail('LEAF_MISMATCH', 'leafHash');
  }
  if (!verifyInclusion(leaf, proof.logIndex, proof.treeSize, path, checkpoint.rootHash)) {
    return fail('PROOF_FAILED', 'inclusion');
  }
  return { ok: true, checkpoint };
}

/**
 * Whether the log signed in `newerNote` still holds, unchanged, every leaf of the log signed in
 * `olderNote`: both signed by the key, of the same log, and the proof connects their tree heads.
 */
export function verifyConsistencyOffline(
  olderNote: string,
  newerNote: string,
  proof: ConsistencyProofDocument,
  verifierKey: string,
): OfflineResult<{ older: TreeCheckpoint; newer: TreeCheckpoint }> {
  const older = open(olderNote, verifierKey);
  if (older instanceof NoteError) return fail('CHECKPOINT_NOT_VERIFIED', `older: ${older.code}`);
  const newer = open(newerNote, verifierKey, older.origin);
  if (newer instanceof NoteError) return fail('CHECKPOINT_NOT_VERIFIED', `newer: ${newer.code}`);
  const path = decodeHashes(proof.path ?? []);
  if (!isSize(proof.from) || !isSize(proof.to) || !path) return fail('MALFORMED_PROOF', 'from, to and path');
  if (proof.from !== older.size || proof.to !== newer.size) return fail('CHECKPOINT_MISMATCH', 'from and to');
  if (older.size > newer.size) return fail('CHECKPOINT_MISMATCH', 'the older checkpoint is the larger tree');
  if (!verifyConsistency(older.size, newer.size, path, older.rootHash, newer.rootHash)) {
    return fail('PROOF_FAILED', 'consistency');
  }
  return { ok: true, older, newer };
}
