import { signCheckpoint } from '../checkpoint';
import { eventLeafHash } from '../leaves';
import type { ConsistencyProofDocument, InclusionProofDocument } from '../offline-verifier';
import type { NoteSigner } from '../signed-note';
import type { PostgresTreeStore, StoredCheckpoint } from './postgres-tree-store';

/**
 * What the service asks of the tree beyond appending: sign it as it grows, and prove things
 * about it in the shapes CONTRACT.md §7 serves.
 */
export class TreeLog {
  constructor(
    private readonly store: PostgresTreeStore,
    private readonly signer: NoteSigner,
    /** The checkpoint's first line: the log's name. */
    readonly origin: string,
  ) {}

  get verifierKey(): string {
    return this.signer.verifierKey;
  }

  /**
   * Signs and keeps a checkpoint of the tree as it is now, if it grew since the last one (an empty
   * tree is never signed). Returns the new checkpoint, or null when there was nothing new to sign.
   */
  async signIfGrown(): Promise<StoredCheckpoint | null> {
    const [size, latest] = await Promise.all([this.store.size(), this.store.latestCheckpoint()]);
    if (size === 0 || (latest !== null && latest.treeSize >= size)) return null;
    const rootHash = await this.store.rootAt(size);
    const note = signCheckpoint({ origin: this.origin, size, rootHash }, this.signer);
    // Another instance may have signed the same size first: Ed25519 is deterministic, same note.
    await this.store.saveCheckpoint(size, rootHash, note);
    return this.store.checkpoint(size);
  }

  /**
   * The inclusion proof of an event in the tree of `treeSize` leaves (the latest signed one if
   * omitted), or null while the event is not in a tree of that size.
   */
  async eventInclusion(eventId: string, treeSize?: number): Promise<InclusionProofDocument | null> {
    const size = treeSize ?? (await this.store.latestCheckpoint())?.treeSize;
    const logIndex = await this.store.logIndexOf('event', eventId);
    if (size === undefined || logIndex === null || logIndex >= size || size > (await this.store.size())) return null;
    const [leaf] = await this.store.reader().read([{ level: 0, index: logIndex }]);
    const path = await this.store.inclusionProof(logIndex, size);
    return { logIndex, treeSize: size, leafHash: leaf!.toString('hex'), path: path.map((h) => h.toString('hex')) };
  }

  /** The consistency proof between two tree sizes, or null if the larger is beyond the tree. */
  async consistency(from: number, to: number): Promise<ConsistencyProofDocument | null> {
    if (from > to || to > (await this.store.size())) return null;
    const path = await this.store.consistencyProof(from, to);
    return { from, to, path: path.map((h) => h.toString('hex')) };
  }

  /** The leaf hash the tree must hold for an event with this `hash`: what a certificate's reader checks. */
  static eventLeafHashHex(eventHashHex: string): string {
    return eventLeafHash(eventHashHex).toString('hex');
  }
}
