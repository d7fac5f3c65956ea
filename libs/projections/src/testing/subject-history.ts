import type { SubjectEvent } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';

/**
 * One person's events as stored, in the order recorded, for a projection's given(…).then(…).
 * Each comes with when it happened: a day (it happened at 09:00 UTC and was recorded a second
 * later) or a whole ISO time (happened and recorded then).
 */
export const subjectHistory =
  (subjectId: string) =>
  (...events: Array<[string, SubjectEvent]>): StoredEvent[] =>
    events.map(([when, event], revision) => {
      const day = when.length === 10;
      return {
        eventId: `e${revision}`,
        type: event.type,
        data: event.data,
        personal: event.personal,
        meta: {
          envelopeId: `m${revision}`,
          envelopeHash: 'h',
          occurredAt: day ? `${when}T09:00:00.000Z` : when,
          source: 'webcruiter',
          correlationId: 'c',
          causationId: 'c',
        },
        recordedAt: day ? `${when}T09:00:01.000Z` : when,
        streamId: `subject-${subjectId}`,
        revision,
        checkpoint: String(revision),
        hash: 'h',
        previousHash: null,
      };
    });
