import { isSubjectStream, subjectIdOf } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import { trailEntryOf, type Projection } from '#ledger/projections';
import type { Publisher } from '../kafka.port';

/**
 * Publishes everything recorded, without personal values, to the ledger topic for downstream
 * systems (processors and recipients must act on withdrawals, objections and erasures, Art. 19).
 * Fed by the durable feed with its own checkpoint: at least once, each message carrying the event
 * id (`event-id` header and body) so a consumer can drop a repeat.
 */
export class LedgerPublicationProjection implements Projection {
  readonly name = 'kafka-publication';
  readonly migrations = [];

  constructor(
    private readonly publisher: Publisher,
    private readonly topic: string,
  ) {}

  async apply(events: readonly StoredEvent[]): Promise<void> {
    const messages = events
      .filter((e) => isSubjectStream(e.streamId))
      .map((e) => {
        const subjectId = subjectIdOf(e.streamId);
        const entry = trailEntryOf(e);
        return {
          key: subjectId,
          value: JSON.stringify({ subjectId, ...entry }),
          headers: { 'event-id': e.eventId, 'event-type': e.type, 'subject-id': subjectId },
        };
      });
    await this.publisher.publish(this.topic, messages);
  }

  async reset(): Promise<void> {}
}
