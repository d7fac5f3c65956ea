import { hash } from 'node:crypto';

/**
 * The id of the n-th extra event one envelope decides (an erasure's completion, a ref link): a
 * UUID derived from the envelope id, so a redelivered envelope yields the same ids and the store's
 * unique key refuses it a second time.
 */
export function derivedEventId(envelopeId: string, n: number): string {
  const h = hash('sha256', `${envelopeId}/${n}`, 'hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
