import { createHash, randomBytes } from 'node:crypto';
import {
  MemoryTree,
  checkpointBody,
  inclusionProof,
  noteSignerFromSeed,
  signCheckpoint,
} from '../../../libs/verifiable-log/src/index';
import { openCheckpoint, proves, rootFromInclusion, type InclusionProof } from './proof';

/**
 * The browser's checks, run on Node's WebCrypto, against what the ledger's own Node code makes:
 * a tree of event leaves, its inclusion proofs and a signed checkpoint.
 */
describe('the console checks the verifiable log as the ledger builds it', () => {
  const eventHashes = Array.from({ length: 13 }, () => randomBytes(32).toString('hex'));
  const leafOf = (hex: string) =>
    createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), Buffer.from(hex, 'hex')]))
      .digest();
  const tree = new MemoryTree(eventHashes.map(leafOf));
  const signer = noteSignerFromSeed('processing-ledger/Test-AS', randomBytes(32).toString('base64'));
  const note = signCheckpoint({ origin: 'processing-ledger/Test-AS', size: tree.size, rootHash: tree.root() }, signer);
  const proofOf = async (index: number): Promise<InclusionProof> => ({
    logIndex: index,
    treeSize: tree.size,
    leafHash: leafOf(eventHashes[index]!).toString('hex'),
    path: (await inclusionProof(tree, index, tree.size)).map((h) => h.toString('hex')),
  });

  it('opens the signed checkpoint with Ed25519 and refuses an altered one or another key', async () => {
    const checkpoint = await openCheckpoint(note, signer.verifierKey);
    expect(checkpoint).toEqual(
      expect.objectContaining({ origin: 'processing-ledger/Test-AS', size: 13, signatureValid: true }),
    );
    expect(Buffer.from(checkpoint.root).equals(tree.root())).toBe(true);
    const altered = note.replace('\n13\n', '\n14\n');
    expect((await openCheckpoint(altered, signer.verifierKey)).signatureValid).toBe(false);
    const other = noteSignerFromSeed('processing-ledger/Test-AS', randomBytes(32).toString('base64'));
    expect((await openCheckpoint(note, other.verifierKey)).signatureValid).toBe(false);
    expect(checkpointBody({ origin: 'o', size: 1, rootHash: tree.root() })).toMatch(/^o\n1\n/);
  });

  it("proves every leaf's inclusion, and no leaf at another place or with another hash", async () => {
    const checkpoint = await openCheckpoint(note, signer.verifierKey);
    for (let index = 0; index < eventHashes.length; index += 1) {
      const proof = await proofOf(index);
      expect([index, await proves(eventHashes[index]!, proof, checkpoint)]).toEqual([index, true]);
    }
    const proof = await proofOf(4);
    expect(await proves(eventHashes[5]!, proof, checkpoint)).toBe(false);
    expect(await proves(eventHashes[4]!, { ...proof, logIndex: 5 }, checkpoint)).toBe(false);
    const flipped = proof.path.map((h, i) => (i === 0 ? `${h.slice(0, -1)}${h.endsWith('0') ? '1' : '0'}` : h));
    expect(await proves(eventHashes[4]!, { ...proof, path: flipped }, checkpoint)).toBe(false);
    expect(await rootFromInclusion(leafOf(eventHashes[0]!), 13, 13, [])).toBeNull();
  });
});
