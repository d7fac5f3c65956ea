import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { checkpointBody, openCheckpoint, parseCheckpointBody, signCheckpoint } from './checkpoint';
import { hashLeaf } from './merkle';
import { NoteError, noteSignerFromSeed, openNote, parseNote, parseVerifierKey } from './signed-note';

/*
 * Known answers from Go's reference implementation of signed notes, golang.org/x/mod/sumdb/note,
 * note_test.go (golang/mod commit 02c991387e35f9e4c0a9b7ce137717055f8d716d): its private key
 * `PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALV…` is 0x01 followed by this 32-byte seed.
 */
const GO_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1).toString('base64');
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIGNATURE = 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann ${GO_SIGNATURE}\n`;
const ENOCH_LINE =
  '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
    return undefined;
  } catch (error) {
    return error instanceof NoteError ? error.code : 'not a NoteError';
  }
};

describe('C2SP signed notes', () => {
  it("derives Go's key id and verifier key from the seed and signs byte for byte as Go does", () => {
    const signer = noteSignerFromSeed('PeterNeumann', GO_SEED);
    expect(signer.keyId.toString(16)).toBe('c74f20a3');
    expect(signer.verifierKey).toBe(GO_VERIFIER_KEY);
    expect(signer.sign(GO_TEXT)).toBe(GO_NOTE);
  });

  it("opens Go's note with its verifier key and ignores a signature by a key it does not know", () => {
    const verifier = parseVerifierKey(GO_VERIFIER_KEY);
    expect(openNote(GO_NOTE, verifier)).toBe(GO_TEXT);
    expect(openNote(GO_NOTE + ENOCH_LINE, verifier)).toBe(GO_TEXT);
    expect(parseNote(GO_NOTE + ENOCH_LINE).signatures.map((s) => [s.name, s.keyId.toString(16)])).toEqual([
      ['PeterNeumann', 'c74f20a3'],
      ['EnochRoot', 'af0cfe78'],
    ]);
  });

  it('refuses an altered text, an altered signature, another key and malformed notes and keys', () => {
    const verifier = parseVerifierKey(GO_VERIFIER_KEY);
    expect(codeOf(() => openNote(GO_NOTE.replace('answer', 'Answer'), verifier))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => openNote(GO_NOTE.replace('x08go/ZJ', 'x08go/ZK'), verifier))).toBe('INVALID_SIGNATURE');
    const other = noteSignerFromSeed('PeterNeumann', randomBytes(32).toString('base64'));
    expect(codeOf(() => openNote(GO_NOTE, other))).toBe('UNKNOWN_KEY');
    expect(codeOf(() => openNote(GO_TEXT, verifier))).toBe('MALFORMED_NOTE');
    expect(codeOf(() => openNote(GO_NOTE + 'Unexpected line.\n', verifier))).toBe('MALFORMED_NOTE');
    expect(codeOf(() => openNote(`\u0001${GO_NOTE}`, verifier))).toBe('MALFORMED_NOTE');
    expect(codeOf(() => parseVerifierKey(GO_VERIFIER_KEY.replace('c74f20a3', 'c74f20a4')))).toBe('MALFORMED_KEY');
    expect(codeOf(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'))).toBe(
      'MALFORMED_KEY',
    );
    expect(codeOf(() => noteSignerFromSeed('ledger', randomBytes(31).toString('base64')))).toBe('MALFORMED_KEY');
    expect(codeOf(() => noteSignerFromSeed('a b', GO_SEED))).toBe('MALFORMED_KEY');
  });
});

describe('signed tree checkpoints', () => {
  const seed = randomBytes(32).toString('base64');
  const signer = noteSignerFromSeed('ledger.example.no/processing', seed);
  const checkpoint = { origin: 'ledger.example.no/processing', size: 1234, rootHash: hashLeaf(Buffer.from('x')) };
  const note = signCheckpoint(checkpoint, signer);

  it('writes the tlog-checkpoint body and one signature line by the ledger key', () => {
    const root = checkpoint.rootHash.toString('base64');
    expect(checkpointBody(checkpoint)).toBe(`ledger.example.no/processing\n1234\n${root}\n`);
    const lines = note.split('\n');
    expect(lines.slice(0, 4)).toEqual(['ledger.example.no/processing', '1234', root, '']);
    expect(lines[4]).toMatch(/^\u2014 ledger\.example\.no\/processing [A-Za-z0-9+/]{91}=$/u);
    expect(lines.slice(5)).toEqual(['']);
  });

  it("verifies with Node's own Ed25519 verify, given only the served verifier key", () => {
    // The base64 key may itself hold a '+': only the first two separate fields.
    const [, keyId, ...encoded] = signer.verifierKey.split('+');
    const raw = Buffer.from(encoded.join('+'), 'base64');
    expect([raw.length, raw[0]]).toEqual([33, 0x01]);
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.subarray(1).toString('base64url') },
      format: 'jwk',
    });
    const signature = Buffer.from(note.trimEnd().split(' ').pop()!, 'base64');
    expect(signature.subarray(0, 4).toString('hex')).toBe(keyId);
    const body = Buffer.from(checkpointBody(checkpoint));
    expect(verify(null, body, publicKey, signature.subarray(4))).toBe(true);
    const altered = Buffer.from(checkpointBody({ ...checkpoint, size: 1235 }));
    expect(verify(null, altered, publicKey, signature.subarray(4))).toBe(false);
  });

  it('opens to the same checkpoint, and refuses an altered tree size, root or origin', () => {
    expect(openCheckpoint(note, signer.verifierKey, checkpoint.origin)).toEqual({ ...checkpoint, extensions: [] });
    expect(codeOf(() => openCheckpoint(note.replace('\n1234\n', '\n1235\n'), signer.verifierKey))).toBe(
      'INVALID_SIGNATURE',
    );
    const otherRoot = hashLeaf(Buffer.from('y')).toString('base64');
    const rewritten = note.replace(checkpoint.rootHash.toString('base64'), otherRoot);
    expect(codeOf(() => openCheckpoint(rewritten, signer.verifierKey))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => openCheckpoint(note, signer.verifierKey, 'another.log'))).toBe('MALFORMED_NOTE');
  });

  it('refuses a body that is not a checkpoint', () => {
    expect(codeOf(() => parseCheckpointBody('origin\n12\n'))).toBe('MALFORMED_NOTE');
    expect(codeOf(() => parseCheckpointBody(`origin\n012\n${checkpoint.rootHash.toString('base64')}\n`))).toBe(
      'MALFORMED_NOTE',
    );
    expect(codeOf(() => parseCheckpointBody('origin\n12\nAAAA\n'))).toBe('MALFORMED_NOTE');
  });
});
