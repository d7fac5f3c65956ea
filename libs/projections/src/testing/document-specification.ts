import type { StoredEvent } from '#ledger/event-store';
import type { DocumentProjection } from '../documents/document-projection';

/**
 * given(events).then(document): a projection's fold, tested without a database. The events are
 * folded as the writer folds them (from `initialState`, each handled event once, `finish` at the
 * end), into the document of the first event's stream.
 */
export const documentSpecification = <Doc>(projection: DocumentProjection<Doc>) => ({
  given: (events: readonly StoredEvent[]) => ({
    then: (expected: Doc) => {
      const handled = events.filter((event) => projection.canHandle(event));
      expect(handled.length).toBeGreaterThan(0);
      const start = projection.initialState(projection.documentId(handled[0]!));
      const folded = handled.reduce((document, event) => projection.evolve(document, event), start);
      expect(projection.finish ? projection.finish(folded) : folded).toEqual(expected);
    },
  }),
});
