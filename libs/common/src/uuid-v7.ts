import { randomBytes } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits. Ids the ledger
 * mints itself (subjects, data keys) are keys of many B-tree indexes; time-ordered, a new one
 * lands at the right edge of each index instead of on a random page, so the pages a write touches
 * stay few and cached however large the store grows. The time it carries is the millisecond the
 * ledger first recorded the id, which the trail shows anyway.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
