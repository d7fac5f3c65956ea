import { createDecipheriv } from 'node:crypto';

const IV = 12;
const TAG = 16;

/**
 * Opens a value sealed with AES-256-GCM (iv | tag | ciphertext), the ledger's earlier form of
 * sealed values (`enc:v1`) and wrapped keys; throws if the key, the AAD or a single bit is wrong. Events are
 * immutable, so those values stay as they are and stay readable; nothing seals this way any more.
 */
export function openAesGcm(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
  return Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]);
}
