import { createHash, hash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 §2.1: hashing, the tree head, and inclusion and consistency proofs.
 * Proofs are generated from the hashes of complete subtrees only (the ones a store keeps once and
 * never changes); a subtree on the right edge that is not complete yet is composed from them.
 */

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
/** One buffer for every inner node's input: the one-shot hash is synchronous, so it is never shared. */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);

/** `SHA-256(0x00 || leaf)`: the leaf prefix keeps a leaf from passing for an inner node. */
export const hashLeaf = (leaf: Uint8Array): Buffer => createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();

/** `SHA-256(0x01 || left || right)`, for 32-byte children; a tree build spends its time here. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) throw new RangeError('a child hash is 32 bytes');
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return hash('sha256', nodeInput, 'buffer');
}

/** The head of the empty tree: the hash of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/**
 * A complete subtree: the `2^level` leaves from `index * 2^level`. Level 0 is a leaf's hash.
 * Its hash never changes once the tree holds all its leaves.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Reads the hashes of complete subtrees, in the order asked, in one round trip. */
export interface NodeReader {
  read(nodes: readonly NodeId[]): Promise<readonly Buffer[]>;
}

/** A range of leaves `[begin, end)` whose RFC 9162 hash (MTH) is one element of a proof. */
interface LeafRange {
  readonly begin: number;
  readonly end: number;
}

/** The largest power of two below `n` (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The complete subtrees that make up the leaves `[begin, end)`, left to right, largest first.
 * Every range a proof or a tree head needs starts at a multiple of a power of two at least its
 * length, so these are exactly the subtrees RFC 9162's recursive split arrives at.
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let at = begin;
  while (at < end) {
    let size = 1;
    let level = 0;
    while (at % (size * 2) === 0 && size * 2 <= end - at) {
      size *= 2;
      level += 1;
    }
    nodes.push({ level, index: at / size });
    at += size;
  }
  return nodes;
}

/** MTH of a range from the hashes of its complete subtrees (`rangeNodes`): folded from the right. */
export function composeRange(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  let hash = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) hash = hashChildren(hashes[i]!, hash);
  return hash;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) as ranges, leaf upwards. */
function inclusionRanges(index: number, size: number): LeafRange[] {
  const topDown: LeafRange[] = [];
  let begin = 0;
  let end = size;
  while (end - begin > 1) {
    const k = splitPoint(end - begin);
    if (index < begin + k) {
      topDown.push({ begin: begin + k, end });
      end = begin + k;
    } else {
      topDown.push({ begin, end: begin + k });
      begin += k;
    }
  }
  return topDown.reverse();
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], true) as ranges, in the order the proof lists them. */
function consistencyRanges(from: number, to: number): LeafRange[] {
  const topDown: LeafRange[] = [];
  let begin = 0;
  let end = to;
  let haveRoot = true;
  while (from !== end) {
    const k = splitPoint(end - begin);
    if (from <= begin + k) {
      topDown.push({ begin: begin + k, end });
      end = begin + k;
    } else {
      topDown.push({ begin, end: begin + k });
      begin += k;
      haveRoot = false;
    }
  }
  if (!haveRoot) topDown.push({ begin, end });
  return topDown.reverse();
}

/** The hashes of several ranges, reading every complete subtree they need in one batch. */
async function hashRanges(reader: NodeReader, ranges: readonly LeafRange[]): Promise<Buffer[]> {
  const perRange = ranges.map((r) => rangeNodes(r.begin, r.end));
  const hashes = await reader.read(perRange.flat());
  let at = 0;
  return perRange.map((nodes) => {
    const slice = hashes.slice(at, at + nodes.length);
    at += nodes.length;
    return composeRange(slice);
  });
}

const checkSize = (name: string, value: number): void => {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0`);
};

/** MTH(D[size]): the tree head of the first `size` leaves. */
export async function rootHash(reader: NodeReader, size: number): Promise<Buffer> {
  checkSize('size', size);
  const [root] = await hashRanges(reader, [{ begin: 0, end: size }]);
  return root!;
}

/** The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
export async function inclusionProof(reader: NodeReader, index: number, size: number): Promise<Buffer[]> {
  checkSize('index', index);
  checkSize('size', size);
  if (index >= size) throw new RangeError('the leaf index must be below the tree size');
  return hashRanges(reader, inclusionRanges(index, size));
}

/**
 * The consistency proof from the tree of `from` leaves to the tree of `to` (RFC 9162 §2.1.4.1).
 * Empty when `from` is 0 or equal to `to`: there is nothing to prove.
 */
export async function consistencyProof(reader: NodeReader, from: number, to: number): Promise<Buffer[]> {
  checkSize('from', from);
  checkSize('to', to);
  if (from > to) throw new RangeError('the first tree size must not exceed the second');
  if (from === 0 || from === to) return [];
  return hashRanges(reader, consistencyRanges(from, to));
}
