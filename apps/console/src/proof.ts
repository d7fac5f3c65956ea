/**
 * Checking the verifiable log in the browser (CONTRACT §7) with WebCrypto: RFC 9162 leaf and node
 * hashes, inclusion paths, and the checkpoint's C2SP signed note with Ed25519.
 */
const encoder = new TextEncoder();

const sha256 = async (...parts: Uint8Array[]): Promise<Uint8Array> => {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
};

export const fromHex = (hex: string): Uint8Array =>
  new Uint8Array((hex.match(/../g) ?? []).map((byte) => parseInt(byte, 16)));
export const toHex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
/** Bytes of a base64 text; none for text that is not base64, which then fails the check it feeds. */
const fromBase64 = (text: string): Uint8Array => {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array();
  }
};
const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** RFC 9162 §2.1.1: SHA-256(0x00 || leaf); an event's leaf is the 32 bytes of its trail `hash`. */
export const leafHash = (leaf: Uint8Array): Promise<Uint8Array> => sha256(new Uint8Array([0]), leaf);
const nodeHash = (left: Uint8Array, right: Uint8Array): Promise<Uint8Array> => sha256(new Uint8Array([1]), left, right);

/** The root an inclusion path leads to (RFC 9162 §2.1.3.2), or null if it cannot fit the sizes. */
export async function rootFromInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
): Promise<Uint8Array | null> {
  if (index >= size || leaf.length !== 32) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0 || p.length !== 32) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  /** true: the signature holds; false: it does not; null: this browser has no Ed25519. */
  readonly signatureValid: boolean | null;
  readonly keyId: string;
}

/** Parses the signed note and checks its signature by the verifier key `<name>+<id>+<base64>`. */
export async function openCheckpoint(note: string, verifierKey: string): Promise<Checkpoint> {
  const split = note.lastIndexOf('\n\n');
  const text = note.slice(0, split + 1);
  const [origin = '', size = '', root = ''] = text.split('\n');
  // The key's base64 may hold '+' itself: only the first two separate the parts.
  const [, name = '', keyId = '', key = ''] = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(verifierKey.trim()) ?? [];
  const line = note
    .slice(split + 2)
    .split('\n')
    .find((l) => l.startsWith(`\u2014 ${name} `));
  const signed = line ? fromBase64(line.slice(`\u2014 ${name} `.length)) : new Uint8Array();
  const publicKey = fromBase64(key).slice(1);
  const checkpoint = { origin, size: Number(size), root: fromBase64(root), keyId };
  const idMatches = toHex(signed.slice(0, 4)) === keyId;
  try {
    const imported = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    const holds = await crypto.subtle.verify('Ed25519', imported, signed.slice(4), encoder.encode(text));
    return { ...checkpoint, signatureValid: idMatches && holds };
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotSupportedError')
      return { ...checkpoint, signatureValid: null };
    return { ...checkpoint, signatureValid: false };
  }
}

export interface InclusionProof {
  readonly logIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly path: readonly string[];
}

/** Whether the event with trail hash `eventHash` is at the proof's index in the checkpoint's tree. */
export async function proves(eventHash: string, proof: InclusionProof, checkpoint: Checkpoint): Promise<boolean> {
  const leaf = await leafHash(fromHex(eventHash));
  if (toHex(leaf) !== proof.leafHash.toLowerCase() || proof.treeSize !== checkpoint.size) return false;
  const root = await rootFromInclusion(leaf, proof.logIndex, proof.treeSize, proof.path.map(fromHex));
  return root !== null && equal(root, checkpoint.root);
}
