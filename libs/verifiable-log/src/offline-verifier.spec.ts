import { randomBytes } from 'node:crypto';
import { signCheckpoint } from './checkpoint';
import { eventLeafHash } from './leaves';
import { consistencyProof, inclusionProof } from './merkle';
import { MemoryTree } from './memory-tree';
import { verifyConsistencyOffline, verifyInclusionOffline } from './offline-verifier';
import { noteSignerFromSeed } from './signed-note';

const ORIGIN = 'ledger.example.no/processing';
const signer = noteSignerFromSeed(ORIGIN, randomBytes(32).toString('base64'));
const eventHashes = Array.from({ length: 50 }, () => randomBytes(32).toString('hex'));
const tree = new MemoryTree(eventHashes.map(eventLeafHash));
const hex = (hashes: readonly Buffer[]) => hashes.map((h) => h.toString('hex'));

async function signedAt(size: number): Promise<string> {
  const prefix = new MemoryTree(eventHashes.slice(0, size).map(eventLeafHash));
  return signCheckpoint({ origin: ORIGIN, size, rootHash: prefix.root() }, signer);
}

async function inclusionAt(logIndex: number, treeSize: number) {
  const path = await inclusionProof(tree, logIndex, treeSize);
  return { logIndex, treeSize, leafHash: eventLeafHash(eventHashes[logIndex]!).toString('hex'), path: hex(path) };
}

describe('verifying an inclusion proof with only a signed checkpoint and the verifier key', () => {
  it("accepts the event's leaf in the signed tree", async () => {
    const result = verifyInclusionOffline(await inclusionAt(17, 40), await signedAt(40), signer.verifierKey, {
      expectedLeafHash: eventLeafHash(eventHashes[17]!).toString('hex'),
      origin: ORIGIN,
    });
    expect(result).toMatchObject({ ok: true, checkpoint: { origin: ORIGIN, size: 40 } });
  });

  it('refuses another event, a tampered path, another tree size, a forged checkpoint and another key', async () => {
    const proof = await inclusionAt(17, 40);
    const note = await signedAt(40);
    const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code);
    const other = eventLeafHash(eventHashes[18]!).toString('hex');
    expect(codeOf(verifyInclusionOffline(proof, note, signer.verifierKey, { expectedLeafHash: other }))).toBe(
      'LEAF_MISMATCH',
    );
    expect(codeOf(verifyInclusionOffline({ ...proof, leafHash: other }, note, signer.verifierKey))).toBe(
      'PROOF_FAILED',
    );
    const tampered = [...proof.path];
    tampered[2] = tampered[2]!.replace(/^./u, (c) => (c === '0' ? '1' : '0'));
    expect(codeOf(verifyInclusionOffline({ ...proof, path: tampered }, note, signer.verifierKey))).toBe('PROOF_FAILED');
    expect(codeOf(verifyInclusionOffline(proof, await signedAt(41), signer.verifierKey))).toBe('CHECKPOINT_MISMATCH');
    const forged = note.replace('\n40\n', '\n41\n');
    expect(codeOf(verifyInclusionOffline({ ...proof, treeSize: 41 }, forged, signer.verifierKey))).toBe(
      'CHECKPOINT_NOT_VERIFIED',
    );
    const stranger = noteSignerFromSeed(ORIGIN, randomBytes(32).toString('base64'));
    expect(codeOf(verifyInclusionOffline(proof, note, stranger.verifierKey))).toBe('CHECKPOINT_NOT_VERIFIED');
    expect(codeOf(verifyInclusionOffline({ ...proof, path: ['zz'] }, note, signer.verifierKey))).toBe(
      'MALFORMED_PROOF',
    );
  });
});

describe('verifying consistency between two saved checkpoints', () => {
  it('accepts a later checkpoint of the same log that extends the earlier one', async () => {
    const proof = { from: 13, to: 50, path: hex(await consistencyProof(tree, 13, 50)) };
    const result = verifyConsistencyOffline(await signedAt(13), await signedAt(50), proof, signer.verifierKey);
    expect(result).toMatchObject({ ok: true, older: { size: 13 }, newer: { size: 50 } });
  });

  it('refuses a rewritten history, a proof for other sizes and a checkpoint by another key', async () => {
    const proof = { from: 13, to: 50, path: hex(await consistencyProof(tree, 13, 50)) };
    const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code);
    const rewritten = new MemoryTree(
      [...eventHashes.slice(0, 5), randomBytes(32).toString('hex'), ...eventHashes.slice(6)].map(eventLeafHash),
    );
    const forkNote = signCheckpoint({ origin: ORIGIN, size: 50, rootHash: rewritten.root() }, signer);
    expect(codeOf(verifyConsistencyOffline(await signedAt(13), forkNote, proof, signer.verifierKey))).toBe(
      'PROOF_FAILED',
    );
    expect(codeOf(verifyConsistencyOffline(await signedAt(12), await signedAt(50), proof, signer.verifierKey))).toBe(
      'CHECKPOINT_MISMATCH',
    );
    const stranger = noteSignerFromSeed(ORIGIN, randomBytes(32).toString('base64'));
    const strangerNote = signCheckpoint({ origin: ORIGIN, size: 50, rootHash: tree.root() }, stranger);
    expect(codeOf(verifyConsistencyOffline(await signedAt(13), strangerNote, proof, signer.verifierKey))).toBe(
      'CHECKPOINT_NOT_VERIFIED',
    );
  });
});
