import { breathe } from '#ledger/common';
import type { Keyring } from '#ledger/crypto';
import { subjectIdOf, type InboundEnvelope } from '#ledger/domain';
import { canonicalJson, type EventStore } from '#ledger/event-store';
import type { BatchOutcomes } from './batch-outcomes';
import { IdReusedError } from './errors';

/** An envelope seen for the first time, with its keyed fingerprint. */
export interface FreshEnvelope {
  readonly index: number;
  readonly envelope: InboundEnvelope;
  readonly hash: string;
}

/**
 * Idempotency: an id already recorded, or earlier in this batch, is a duplicate (same content) or
 * a reuse (other content, rejected). A keyed fingerprint: a plain hash of an envelope would let
 * anyone holding the id test guesses of its personal values against the stored fingerprint.
 */
export async function dedupeEnvelopes(
  envelopes: readonly InboundEnvelope[],
  { keyring, store }: { keyring: Keyring; store: EventStore },
  outcomes: BatchOutcomes,
): Promise<FreshEnvelope[]> {
  const hashes: string[] = [];
  for (const e of envelopes) {
    await breathe();
    hashes.push(keyring.mac('envelope', canonicalJson(e)));
  }
  const stored = new Map((await store.findEnvelopes(envelopes.map((e) => e.id))).map((s) => [s.envelopeId, s]));
  const firstInBatch = new Map<string, FreshEnvelope>();
  const fresh: FreshEnvelope[] = [];
  envelopes.forEach((envelope, index) => {
    const hash = hashes[index]!;
    const before = stored.get(envelope.id);
    const earlier = firstInBatch.get(envelope.id);
    if (before) {
      if (before.envelopeHash !== hash) outcomes.reject(index, new IdReusedError(envelope.id));
      else outcomes.duplicate(index, subjectIdOf(before.streamId));
    } else if (earlier) {
      if (earlier.hash !== hash) outcomes.reject(index, new IdReusedError(envelope.id));
      else outcomes.repeat(index, earlier.index);
    } else {
      const item = { index, envelope, hash };
      firstInBatch.set(envelope.id, item);
      fresh.push(item);
    }
  });
  return fresh;
}
