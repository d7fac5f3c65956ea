import { HASH_SIZE, hashChildren } from './merkle';

/**
 * Checking RFC 9162 proofs: what an inspector runs with nothing but a proof and a signed tree
 * head. Pure: no store, no service. Sizes are whole numbers below 2^53; bits are taken by
 * arithmetic, since JavaScript's bit operators work on 32 bits.
 */

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);
const isHash = (h: Uint8Array): boolean => h.length === HASH_SIZE;
const isSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** The root an inclusion path leads to (RFC 9162 §2.1.3.2), or null if the path cannot fit the sizes. */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
): Buffer | null {
  if (!isSize(index) || !isSize(size) || index >= size || !isHash(leafHash) || !path.every(isHash)) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of path) {
    if (sn === 0) return null;
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

/** Whether `path` proves the leaf `leafHash` at `index` in the tree of `size` leaves with head `root`. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(leafHash, index, size, path);
  return computed !== null && isHash(root) && computed.equals(root);
}

/**
 * Whether `path` proves that the tree of `from` leaves with head `fromRoot` is a prefix of the tree
 * of `to` leaves with head `toRoot` (RFC 9162 §2.1.4.2). From 0, or between equal sizes with equal
 * heads, the only proof is the empty one.
 */
export function verifyConsistency(
  from: number,
  to: number,
  path: readonly Uint8Array[],
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
): boolean {
  if (!isSize(from) || !isSize(to) || from > to || !isHash(fromRoot) || !isHash(toRoot)) return false;
  if (!path.every(isHash)) return false;
  if (from === 0) return path.length === 0;
  if (from === to) return path.length === 0 && Buffer.from(fromRoot).equals(toRoot);
  if (path.length === 0) return false;
  const proof = isPowerOfTwo(from) ? [fromRoot, ...path] : [...path];
  let fn = from - 1;
  let sn = to - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(proof[0]!);
  let sr: Buffer = Buffer.from(proof[0]!);
  for (const c of proof.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(fromRoot) && sr.equals(toRoot);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}
