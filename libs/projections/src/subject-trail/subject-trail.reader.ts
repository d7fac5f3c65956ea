import { streamIdOf } from '#ledger/domain';
import { verifyChain, type BrokenLink, type EventStore } from '#ledger/event-store';
import { trailEntryOf, type TrailEntry } from './subject-trail.entry';

/**
 * Whether the trail as read holds together: every event's hash recomputed over its content and
 * the previous hash, from revision 0. Where it does not, the first broken link.
 */
export type TrailIntegrity =
  | { readonly verified: true }
  | { readonly verified: false; readonly revision: number; readonly problem: BrokenLink['problem'] };

/**
 * A person's audit trail is their stream: every event, in order, with its hashes, read from the
 * event store itself and shown without the personal part. There is no copy of it to keep in step,
 * rebuild or trust: what the auditor reads is what `verify` checks, and each read checks it too.
 */
export class SubjectTrailReader {
  constructor(private readonly store: EventStore) {}

  /** The trail and its verification, from one read of the stream. */
  async read(subjectId: string): Promise<{ entries: TrailEntry[]; integrity: TrailIntegrity }> {
    const events = await this.store.readStream(streamIdOf(subjectId));
    const broken = verifyChain(events);
    return {
      entries: events.map(trailEntryOf),
      integrity: broken ? { verified: false, revision: broken.revision, problem: broken.problem } : { verified: true },
    };
  }
}
