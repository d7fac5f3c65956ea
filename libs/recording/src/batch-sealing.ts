import { breathe } from '#ledger/common';
import { kidsIn, type ErasedKeys } from '#ledger/crypto';
import { streamIdOf, type InboundEnvelope } from '#ledger/domain';
import type { NewEvent, StreamAppend } from '#ledger/event-store';
import type { SubjectDecisions } from './batch-decisions';
import { derivedEventId } from './event-ids';
import type { SettledKeys } from './key-settlement';
import { sealSubjectEvents } from './subject-sealer';
import { toStored, type SealedEvent } from './stored-subject-events';

/** A batch ready for the store: one append per subject, and what sealing learnt beside it. */
export interface SealedBatch {
  readonly appends: StreamAppend[];
  /** Every key id the appends sealed with (a key made but not named here holds nothing). */
  readonly kids: ReadonlySet<string>;
  /** Per erasing subject, the live keys to shred once the append is durable. */
  readonly shred: ErasedKeys[];
  /** Per subject, the data keys its new erasures retired. */
  readonly retired: ReadonlyMap<string, readonly string[]>;
}

/** Seals every personal value of every subject's decisions before it reaches the store. */
export async function sealBatch(
  subjects: readonly SubjectDecisions[],
  keys: SettledKeys,
  recordedAt: string,
): Promise<SealedBatch> {
  const appends: StreamAppend[] = [];
  const kids = new Set<string>();
  const shred: ErasedKeys[] = [];
  const retired = new Map<string, readonly string[]>();
  for (const { subjectId, before, decisions } of subjects) {
    await breathe();
    const groups = decisions.map((d) => d.events);
    const sealing = sealSubjectEvents(
      subjectId,
      groups,
      (need) => keys.keyOf(subjectId, need),
      keys.atErasure.get(subjectId) ?? [],
    );
    if (sealing.erasing) shred.push({ subjectId, ...sealing.erasing, madeBy: keys.asOf! });
    const retiredHere = sealing.sealed.flat().flatMap((s) => s.keyIds ?? []);
    if (retiredHere.length > 0) retired.set(subjectId, retiredHere);
    const newEvents = decisions.flatMap(({ item }, n) =>
      toNewEvents(item.envelope, item.hash, sealing.sealed[n]!, recordedAt),
    );
    for (const e of newEvents) if (e.personal) kidsIn(e.personal, kids);
    appends.push({ streamId: streamIdOf(subjectId), expected: before.head, events: newEvents });
  }
  return { appends, kids, shred, retired };
}

/**
 * One envelope's sealed events as the store takes them. The event of the envelope's own type
 * carries the envelope's id (the idempotency key); the others get ids derived from it.
 */
function toNewEvents(
  envelope: InboundEnvelope,
  hash: string,
  sealed: readonly SealedEvent[],
  recordedAt: string,
): NewEvent[] {
  const primary = sealed.findIndex((s) => s.event.type === envelope.type);
  const correlationId = envelope.correlationId ?? envelope.id;
  return sealed.map((s, n) => {
    const eventId = n === primary ? envelope.id : derivedEventId(envelope.id, n);
    // Keys in sorted order: the event's hash sorts them otherwise, for every event. Two literals,
    // not a conditional spread of `actor`: hot path (docs/benchmarking.md).
    const causationId = n === primary ? (envelope.causationId ?? envelope.id) : envelope.id;
    const { id: envelopeId, occurredAt, source, actor } = envelope;
    const meta =
      actor === undefined
        ? { causationId, correlationId, envelopeHash: hash, envelopeId, occurredAt, source }
        : { actor, causationId, correlationId, envelopeHash: hash, envelopeId, occurredAt, source };
    const { type, data, personal } = toStored(s);
    return { eventId, type, data, personal, meta, recordedAt };
  });
}
