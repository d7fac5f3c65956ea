import { createHash } from 'node:crypto';
import { consistencyProof, EMPTY_ROOT, hashChildren, hashLeaf, inclusionProof, rootHash, splitPoint } from './merkle';
import { verifyConsistency, verifyInclusion } from './merkle-verify';
import { MemoryTree } from './memory-tree';

/*
 * Known answers from transparency-dev/merkle, the Go library behind Trillian and the
 * Certificate Transparency logs:
 * - leaves, node hashes and roots: testonly/constants.go (commit 582a6ad190b6848f1d26f8bf08ddef29955d9db1),
 * - inclusion and consistency paths: testonly/reference_test.go (commit 141d627eab770a7e9a2514f46a8b6338e6d90874).
 */
const hex = (s: string) => Buffer.from(s, 'hex');
const LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION: { index: number; size: number; path: string[] }[] = [
  { index: 0, size: 1, path: [] },
  { index: 0, size: 2, path: [NODE_HASHES[0]![1]!] },
  { index: 1, size: 2, path: [NODE_HASHES[0]![0]!] },
  { index: 2, size: 3, path: [NODE_HASHES[1]![0]!] },
  { index: 1, size: 5, path: [NODE_HASHES[0]![0]!, NODE_HASHES[1]![1]!, NODE_HASHES[0]![4]!] },
  { index: 0, size: 8, path: [NODE_HASHES[0]![1]!, NODE_HASHES[1]![1]!, NODE_HASHES[2]![1]!] },
  { index: 5, size: 8, path: [NODE_HASHES[0]![4]!, NODE_HASHES[1]![3]!, NODE_HASHES[2]![0]!] },
];
const CONSISTENCY: { from: number; to: number; path: string[] }[] = [
  { from: 1, to: 1, path: [] },
  { from: 1, to: 8, path: [NODE_HASHES[0]![1]!, NODE_HASHES[1]![1]!, NODE_HASHES[2]![1]!] },
  { from: 2, to: 5, path: [NODE_HASHES[1]![1]!, NODE_HASHES[0]![4]!] },
  { from: 6, to: 8, path: [NODE_HASHES[1]![2]!, NODE_HASHES[1]![3]!, NODE_HASHES[2]![0]!] },
];
const toHex = (hashes: readonly Buffer[]) => hashes.map((h) => h.toString('hex'));
const referenceTree = () => new MemoryTree(LEAF_INPUTS.map((l) => hashLeaf(hex(l))));

describe('RFC 9162 hashing against the transparency-dev/merkle vectors', () => {
  it('hashes each leaf with the 0x00 prefix and each node with the 0x01 prefix', () => {
    expect(LEAF_INPUTS.map((l) => hashLeaf(hex(l)).toString('hex'))).toEqual(NODE_HASHES[0]);
    expect(hashChildren(hashLeaf(hex('')), hashLeaf(hex('00'))).toString('hex')).toBe(NODE_HASHES[1]![0]);
    expect(EMPTY_ROOT.toString('hex')).toBe(createHash('sha256').digest('hex'));
  });

  it('keeps the known hash of every complete subtree', async () => {
    const tree = referenceTree();
    for (const [level, hashes] of NODE_HASHES.entries()) {
      const read = await tree.read(hashes.map((_, index) => ({ level, index })));
      expect(toHex([...read])).toEqual(hashes);
    }
  });

  it('gives the known tree head for every size from 0 to 8', async () => {
    const tree = referenceTree();
    const roots = await Promise.all(ROOTS.map((_, size) => rootHash(tree, size)));
    expect(toHex(roots)).toEqual(ROOTS);
    const grown = new MemoryTree();
    const incremental = [grown.root()];
    for (const leaf of LEAF_INPUTS) {
      grown.append([hashLeaf(hex(leaf))]);
      incremental.push(grown.root());
    }
    expect(toHex(incremental)).toEqual(ROOTS);
  });

  it.each(INCLUSION)('proves leaf $index in the tree of $size with the known path', async ({ index, size, path }) => {
    const proof = await inclusionProof(referenceTree(), index, size);
    expect(toHex(proof)).toEqual(path);
    expect(verifyInclusion(hex(NODE_HASHES[0]![index]!), index, size, path.map(hex), hex(ROOTS[size]!))).toBe(true);
    const other = size === 8 ? 7 : size + 1;
    expect(verifyInclusion(hex(NODE_HASHES[0]![index]!), index, other, path.map(hex), hex(ROOTS[other]!))).toBe(false);
  });

  it.each(CONSISTENCY)('proves the tree of $from a prefix of the tree of $to with the known path', async (vector) => {
    const { from, to, path } = vector;
    const proof = await consistencyProof(referenceTree(), from, to);
    expect(toHex(proof)).toEqual(path);
    expect(verifyConsistency(from, to, path.map(hex), hex(ROOTS[from]!), hex(ROOTS[to]!))).toBe(true);
    expect(verifyConsistency(from, to, path.map(hex), hex(ROOTS[from]!), hex(ROOTS[from === 1 ? 2 : 1]!))).toBe(false);
  });
});

/** A seeded generator, so a failing case can be run again. */
function random(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/** RFC 9162 §2.1.1 MTH, written straight from the definition, to check the stored-node algorithm. */
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return hashChildren(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

const flipped = (hash: Buffer, at: number): Buffer => {
  const copy = Buffer.from(hash);
  copy[at % copy.length] ^= 0x01;
  return copy;
};

describe('proofs over random trees of up to 300 leaves', () => {
  const next = random(9162);
  // One leaf more than the largest tree drawn, so that every tree has a larger one to be told from.
  const leaves = Array.from({ length: 301 }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));
  const tree = new MemoryTree(leaves);
  const cases = Array.from({ length: 400 }, () => {
    const to = 1 + next(300);
    return { from: next(to + 1), to, index: next(to) };
  });

  it('every tree head matches the RFC definition', async () => {
    for (const { to } of cases.slice(0, 60)) {
      expect((await rootHash(tree, to)).equals(referenceRoot(leaves.slice(0, to)))).toBe(true);
    }
  });

  it('every inclusion proof verifies; a flipped byte, another leaf or another signed size fails', async () => {
    for (const { to, index } of cases) {
      const root = referenceRoot(leaves.slice(0, to));
      const path = await inclusionProof(tree, index, to);
      expect([to, index, verifyInclusion(leaves[index]!, index, to, path, root)]).toEqual([to, index, true]);
      expect(verifyInclusion(flipped(leaves[index]!, index), index, to, path, root)).toBe(false);
      expect(verifyInclusion(leaves[index]!, index, to, path, flipped(root, to))).toBe(false);
      if (path.length > 0) {
        const at = next(path.length);
        const bad = path.map((h, i) => (i === at ? flipped(h, next(32)) : h));
        expect(verifyInclusion(leaves[index]!, index, to, bad, root)).toBe(false);
        const larger = referenceRoot(leaves.slice(0, to + 1));
        expect(verifyInclusion(leaves[index]!, index, to + 1, path, larger)).toBe(false);
      }
      if (to > 1) expect(verifyInclusion(leaves[(index + 1) % to]!, index, to, path, root)).toBe(false);
    }
  });

  it('every consistency proof verifies; a flipped byte or another signed size fails', async () => {
    for (const { from, to } of cases) {
      const [fromRoot, toRoot] = [referenceRoot(leaves.slice(0, from)), referenceRoot(leaves.slice(0, to))];
      const path = await consistencyProof(tree, from, to);
      expect([from, to, verifyConsistency(from, to, path, fromRoot, toRoot)]).toEqual([from, to, true]);
      if (from === 0) continue;
      expect(verifyConsistency(from, to, path, flipped(fromRoot, from), toRoot)).toBe(false);
      expect(verifyConsistency(from, to, path, fromRoot, flipped(toRoot, to))).toBe(false);
      if (path.length > 0) {
        const at = next(path.length);
        const bad = path.map((h, i) => (i === at ? flipped(h, next(32)) : h));
        expect(verifyConsistency(from, to, bad, fromRoot, toRoot)).toBe(false);
        const larger = referenceRoot(leaves.slice(0, to + 1));
        expect(verifyConsistency(from, to + 1, path, fromRoot, larger)).toBe(false);
      }
      const smaller = referenceRoot(leaves.slice(0, from - 1));
      if (from > 1 && from < to) expect(verifyConsistency(from - 1, to, path, smaller, toRoot)).toBe(false);
    }
  });

  it('an exhaustive sweep of all sizes up to 40: every leaf and every prefix', async () => {
    for (let to = 1; to <= 40; to++) {
      const root = referenceRoot(leaves.slice(0, to));
      for (let i = 0; i < to; i++) {
        expect(verifyInclusion(leaves[i]!, i, to, await inclusionProof(tree, i, to), root)).toBe(true);
      }
      for (let from = 0; from <= to; from++) {
        const proof = await consistencyProof(tree, from, to);
        expect(verifyConsistency(from, to, proof, referenceRoot(leaves.slice(0, from)), root)).toBe(true);
      }
    }
  });

  it('refuses a leaf index beyond the tree and a shrinking consistency range', async () => {
    await expect(inclusionProof(tree, 5, 5)).rejects.toThrow(RangeError);
    await expect(consistencyProof(tree, 6, 5)).rejects.toThrow(RangeError);
  });
});
