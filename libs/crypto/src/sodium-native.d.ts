/** The part of sodium-native (libsodium's bindings) the ledger uses: XChaCha20-Poly1305, combined mode. */
declare module 'sodium-native' {
  /** Writes ciphertext | tag into `ciphertext` (message length + 16); throws on wrong sizes. */
  export function crypto_aead_xchacha20poly1305_ietf_encrypt(
    ciphertext: Buffer,
    message: Buffer,
    additionalData: Buffer | null,
    nsec: null,
    nonce: Buffer,
    key: Buffer,
  ): number;
  /** Writes the message into `message` (ciphertext length − 16); throws when the tag does not verify. */
  export function crypto_aead_xchacha20poly1305_ietf_decrypt(
    message: Buffer,
    nsec: null,
    ciphertext: Buffer,
    additionalData: Buffer | null,
    nonce: Buffer,
    key: Buffer,
  ): number;
}
