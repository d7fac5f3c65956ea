import { HASH_SIZE, hashLeaf } from './merkle';

/** What a leaf of the ledger's tree stands for: a recorded event, or an entry of the access log. */
export type LeafKind = 'event' | 'access';

/**
 * The RFC 9162 leaf hash of an event: its leaf is the 32 bytes of the trail's `hash` (hex), so
 * the tree commits to the per-stream chain and, through it, to every byte of the event.
 */
export function eventLeafHash(eventHashHex: string): Buffer {
  const leaf = Buffer.from(eventHashHex, 'hex');
  if (leaf.length !== HASH_SIZE || leaf.toString('hex') !== eventHashHex.toLowerCase()) {
    throw new RangeError('an event hash is 32 bytes in hex');
  }
  return hashLeaf(leaf);
}
