import { createCipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM in the ledger's earlier form (`enc:v1`: iv | tag | ciphertext): to make legacy data in tests. */
export function sealAesGcm(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}
