import sodium from 'sodium-native';
import { fillRandom } from './random-pool';

const NONCE = 24;
const TAG = 16;

/**
 * XChaCha20-Poly1305 (IETF construction, libsodium): a random 192-bit nonce, a 128-bit tag.
 * Returns nonce | ciphertext | tag.
 *
 * Why not AES-256-GCM, the ledger's earlier form: through `node:crypto` each seal builds a cipher
 * object (an OpenSSL context, a native handle for the collector), several times the cost of a
 * seal here, and a new person takes several seals. Random 192-bit nonces also never need
 * counting: GCM's 96-bit random IVs are bounded to 2^32 seals per key, and the master key wraps
 * one key per person and category.
 */
export function seal(key: Buffer, plaintext: Buffer, aad: string | Buffer): Buffer {
  const out = Buffer.allocUnsafe(NONCE + plaintext.length + TAG);
  const nonce = fillRandom(out.subarray(0, NONCE));
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    out.subarray(NONCE),
    plaintext,
    typeof aad === 'string' ? Buffer.from(aad) : aad,
    null,
    nonce,
    key,
  );
  return out;
}

/** Opens what `seal` made; throws if the key, the AAD or a single bit is wrong. */
export function open(key: Buffer, sealed: Buffer, aad: string | Buffer): Buffer {
  if (sealed.length < NONCE + TAG) throw new Error('a sealed value is shorter than its nonce and tag');
  const plaintext = Buffer.allocUnsafe(sealed.length - NONCE - TAG);
  sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
    plaintext,
    null,
    sealed.subarray(NONCE),
    typeof aad === 'string' ? Buffer.from(aad) : aad,
    sealed.subarray(0, NONCE),
    key,
  );
  return plaintext;
}
