import { randomBytes } from 'node:crypto';

/**
 * Random bytes from a pooled CSPRNG buffer: one system call per 64 KiB instead of one per nonce or
 * key, since a system call per seal weighs on ingestion, which seals several values a person. Bytes
 * handed out are wiped from the pool.
 */
const POOL_SIZE = 64 * 1024;
let pool = Buffer.alloc(0);
let offset = 0;

/** Fills `target` with random bytes from the pool. */
export function fillRandom(target: Buffer): Buffer {
  if (offset + target.length > pool.length) {
    pool = randomBytes(Math.max(POOL_SIZE, target.length));
    offset = 0;
  }
  pool.copy(target, 0, offset, offset + target.length);
  pool.fill(0, offset, offset + target.length);
  offset += target.length;
  return target;
}

/** Random bytes in a new buffer (from Node's small-buffer slab: every byte is written at once). */
export const randomBytesPooled = (size: number): Buffer => fillRandom(Buffer.allocUnsafe(size));
