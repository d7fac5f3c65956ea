import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed-note with Ed25519 (https://c2sp.org/signed-note): a text, an empty line, and
 * signature lines `— <key name> <base64(key id || signature)>`. The key id is the first four bytes
 * of SHA-256(name || 0x0A || 0x01 || public key); 0x01 is the Ed25519 signature type.
 */

const ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
/** PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410), so Node's crypto can load it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Why a note or a key was refused: stable codes, for exit codes and HTTP answers. */
export type NoteErrorCode = 'MALFORMED_KEY' | 'MALFORMED_NOTE' | 'UNKNOWN_KEY' | 'INVALID_SIGNATURE';

export class NoteError extends Error {
  constructor(
    readonly code: NoteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NoteError';
  }
}

export interface NoteVerifier {
  readonly name: string;
  /** The 4-byte key id, as a number (big-endian). */
  readonly keyId: number;
  readonly publicKey: Buffer;
  /** `<name>+<8 hex key id>+<base64(0x01 || public key)>`. */
  readonly verifierKey: string;
}

export interface NoteSigner extends NoteVerifier {
  sign(text: string): string;
}

const isValidName = (name: string): boolean => name.length > 0 && !/[\s+]/u.test(name);

export function keyIdOf(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, ED25519]))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

function verifierFor(name: string, publicKey: Buffer): NoteVerifier {
  const keyId = keyIdOf(name, publicKey);
  const encoded = Buffer.concat([Buffer.from([ED25519]), publicKey]).toString('base64');
  return { name, keyId, publicKey, verifierKey: `${name}+${keyId.toString(16).padStart(8, '0')}+${encoded}` };
}

/** The signer named `name` from a 32-byte Ed25519 seed in base64 (`LEDGER_SIGNING_KEY`). */
export function noteSignerFromSeed(name: string, seedBase64: string): NoteSigner {
  if (!isValidName(name)) throw new NoteError('MALFORMED_KEY', 'a key name must be non-empty, without spaces or +');
  const seed = Buffer.from(seedBase64.trim(), 'base64');
  if (seed.length !== 32 || seed.toString('base64') !== seedBase64.trim()) {
    throw new NoteError('MALFORMED_KEY', 'the signing key must be a 32-byte Ed25519 seed in base64');
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const verifier = verifierFor(name, Buffer.from(jwk.x!, 'base64url'));
  return { ...verifier, sign: (text) => signText(text, verifier, privateKey) };
}

function signText(text: string, key: NoteVerifier, privateKey: KeyObject): string {
  checkText(text);
  const signature = sign(null, Buffer.from(text), privateKey);
  const keyId = Buffer.alloc(4);
  keyId.writeUInt32BE(key.keyId);
  return `${text}\n${SIGNATURE_PREFIX}${key.name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}

/** An ASCII control character other than the newline: the spec keeps them out of a note's text. */
const isControl = (c: string): boolean => c !== '\n' && c.charCodeAt(0) < 0x20;

function checkText(text: string): void {
  if (!text.endsWith('\n') || text.includes('\n\n') || [...text].some(isControl)) {
    throw new NoteError('MALFORMED_NOTE', 'a note text is lines ending in a newline, none of them empty');
  }
}

/** Parses `<name>+<8 hex key id>+<base64(0x01 || public key)>` and checks that the id fits the key. */
export function parseVerifierKey(verifierKey: string): NoteVerifier {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/u.exec(verifierKey.trim());
  if (!match) throw new NoteError('MALFORMED_KEY', 'a verifier key is <name>+<8 hex key id>+<base64 key>');
  const [, name, id, encoded] = match as unknown as [string, string, string, string];
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 33 || key[0] !== ED25519 || key.toString('base64') !== encoded) {
    throw new NoteError('MALFORMED_KEY', 'the verifier key is not an Ed25519 key');
  }
  const verifier = verifierFor(name, key.subarray(1));
  if (verifier.keyId !== parseInt(id, 16)) throw new NoteError('MALFORMED_KEY', 'the key id does not fit the key');
  return verifier;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Buffer;
}

/** Splits a note into its text and signature lines, without checking any signature. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n'))
    throw new NoteError('MALFORMED_NOTE', 'a note is text, an empty line, signatures');
  const text = note.slice(0, split + 1);
  checkText(text);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > 100) throw new NoteError('MALFORMED_NOTE', 'a note carries at most 100 signatures');
  const signatures = lines.map((line) => {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/u.exec(line);
    const raw = match ? Buffer.from(match[2]!, 'base64') : Buffer.alloc(0);
    if (!match || raw.length < 5 || !isValidName(match[1]!)) {
      throw new NoteError('MALFORMED_NOTE', 'a signature line is — <name> <base64 key id and signature>');
    }
    return { name: match[1]!, keyId: raw.readUInt32BE(0), signature: raw.subarray(4) };
  });
  return { text, signatures };
}

/**
 * The text of a note, once the signature by `verifier` is found and holds. Signatures by other
 * keys are ignored, as the spec asks; a failing signature by this key refuses the whole note.
 */
export function openNote(note: string, verifier: NoteVerifier): string {
  const { text, signatures } = parseNote(note);
  const mine = signatures.find((s) => s.name === verifier.name && s.keyId === verifier.keyId);
  if (!mine) throw new NoteError('UNKNOWN_KEY', 'the note carries no signature by this verifier key');
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: verifier.publicKey.toString('base64url') },
    format: 'jwk',
  });
  if (mine.signature.length !== 64 || !verify(null, Buffer.from(text), publicKey, mine.signature)) {
    throw new NoteError('INVALID_SIGNATURE', 'the signature by this verifier key does not hold');
  }
  return text;
}
