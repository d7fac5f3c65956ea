import {
  RuleViolation,
  streamIdOf,
  type InboundEnvelope,
  type SubjectDecider,
  type SubjectEvent,
  initialSubjectState,
} from '#ledger/domain';
import type { EventStore } from '#ledger/event-store';
import { fromStored } from '#ledger/recording';

/**
 * What the sweep's envelopes would do, decided as the writer decides them (the subject's events
 * folded from the store, then the decider) with nothing appended. An envelope already recorded
 * is what the sweep reports as refused: an earlier sweep of the same date met a hold.
 */
export async function previewSweep(
  store: EventStore,
  decider: SubjectDecider,
  envelopes: readonly InboundEnvelope[],
  recordedAt: string,
): Promise<{ erased: string[]; refused: string[] }> {
  const recorded = new Set((await store.findEnvelopes(envelopes.map((e) => e.id))).map((s) => s.envelopeId));
  const streams = await store.readStreams(envelopes.map((e) => streamIdOf(e.subject.id!)));
  const erased: string[] = [];
  const refused: string[] = [];
  for (const envelope of envelopes) {
    const subjectId = envelope.subject.id!;
    const stored = streams.get(streamIdOf(subjectId)) ?? [];
    // The stream too: a store's envelope index may lag its streams (KurrentDB).
    if (recorded.has(envelope.id) || stored.some((e) => e.meta.envelopeId === envelope.id)) {
      refused.push(subjectId);
      continue;
    }
    const state = stored.map((e) => fromStored(e)).reduce(decider.evolve, initialSubjectState);
    let decided: SubjectEvent[];
    try {
      decided = decider.decide({ envelope, recordedAt }, state);
    } catch (error) {
      // The real sweep reports a rejected envelope under neither list.
      if (error instanceof RuleViolation) continue;
      throw error;
    }
    (decided.some((e) => e.type === 'erasure.completed') ? erased : refused).push(subjectId);
  }
  return { erased, refused };
}
