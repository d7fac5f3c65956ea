import { initialSubjectState, subjectDecider, type InboundEnvelope, type Policy } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';

export const SUBJECT_ID = '6f1d2c3b-4a59-4e8f-9a7b-0c1d2e3f4a5b';

/**
 * A person's events as the store gives them back once opened: decided by the real decider from
 * the envelopes, in order, each recorded a second after it happened. Values are in clear, as the
 * answer sees them after opening.
 */
export function personEvents(policy: Policy, envelopes: readonly InboundEnvelope[]): StoredEvent[] {
  const decider = subjectDecider(policy);
  let state = initialSubjectState;
  const stored: StoredEvent[] = [];
  for (const envelope of envelopes) {
    const recordedAt = new Date(Date.parse(envelope.occurredAt) + 1000).toISOString();
    for (const event of decider.decide({ envelope, recordedAt, ref: envelope.subject.ref }, state)) {
      state = decider.evolve(state, event);
      const revision = stored.length;
      stored.push({
        eventId: `00000000-0000-4000-9000-${String(revision).padStart(12, '0')}`,
        type: event.type,
        data: event.data,
        personal: event.personal,
        meta: {
          envelopeId: envelope.id,
          envelopeHash: 'h',
          occurredAt: envelope.occurredAt,
          source: envelope.source,
          ...(envelope.actor === undefined ? {} : { actor: envelope.actor }),
          correlationId: envelope.id,
          causationId: envelope.id,
        },
        recordedAt,
        streamId: `subject-${SUBJECT_ID}`,
        revision,
        checkpoint: String(revision),
        hash: 'h',
        previousHash: null,
      });
    }
  }
  return stored;
}
