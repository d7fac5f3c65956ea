import type { EventStore } from '#ledger/event-store';
import { trailEntryOf, type TrailEntry } from './subject-trail.entry';

/**
 * A person's audit trail is their stream: every event, in order, with its hashes, read from the
 * event store itself and shown without the personal part. There is no copy of it to keep in step,
 * rebuild or trust: what the auditor reads is what `verify` checks.
 */
export class SubjectTrailReader {
  constructor(private readonly store: EventStore) {}

  async get(subjectId: string): Promise<TrailEntry[]> {
    return (await this.store.readStream(`subject-${subjectId}`)).map(trailEntryOf);
  }
}
