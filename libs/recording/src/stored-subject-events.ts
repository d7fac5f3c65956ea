import { isSubjectEventType, type SubjectEvent } from '#ledger/domain';
import { upcasterChain, type NewEvent, type StoredEvent, type Upcaster } from '#ledger/event-store';

/**
 * Upcasters of a subject's stored events, oldest schema first. None yet: every stored schema is
 * the current one. Sealed values name their own format (`enc:v1`…`enc:v3`) and are read by the
 * cipher, which needs the keys, so they are no schema change here.
 */
export const SUBJECT_UPCASTERS: readonly Upcaster[] = [];

const upcast = upcasterChain(SUBJECT_UPCASTERS);
const NO_PERSONAL: Readonly<Record<string, unknown>> = Object.freeze({});

/** A decided event as sealed for the store, with what sealing knows beside it. */
export interface SealedEvent {
  readonly event: SubjectEvent;
  /** Every personal value sealed; null when the event has none. */
  readonly personal: Readonly<Record<string, unknown>> | null;
  /** For an erasure: the data keys it destroys. Null for every other event. */
  readonly keyIds: readonly string[] | null;
}

/**
 * The stored form of a sealed event. An erasure's data names the keys it destroys after the
 * decided fields, as the log has always held it: its hash covers those bytes.
 */
export function toStored(sealed: SealedEvent): Pick<NewEvent, 'type' | 'data' | 'personal'> {
  const { event, personal, keyIds } = sealed;
  return { type: event.type, data: keyIds === null ? event.data : { ...event.data, keyIds }, personal };
}

/**
 * The domain event a stored one holds, brought to the current schema. `personal` replaces the
 * stored (sealed) personal values with those a reader opened, when it needs them in clear.
 */
export function fromStored(stored: StoredEvent, personal?: Readonly<Record<string, unknown>>): SubjectEvent {
  const current = upcast(stored);
  if (!isSubjectEventType(current.type))
    throw new Error(`not a subject event type: ${current.type} (event ${current.eventId})`);
  // The one narrowing of the boundary: the type string is known, the data is the store's word.
  return {
    type: current.type,
    data: decidedData(current),
    personal: personal ?? current.personal ?? NO_PERSONAL,
  } as SubjectEvent;
}

/** The data as decided: an erasure's key ids are a sealing fact, read by `erasedKeyIdsOf`. */
function decidedData(stored: StoredEvent): Readonly<Record<string, unknown>> {
  if (stored.type !== 'erasure.completed' || !('keyIds' in stored.data)) return stored.data;
  const { keyIds: _sealing, ...decided } = stored.data;
  return decided;
}

/** The data keys a stored erasure destroyed (named when it was sealed); none for any other event. */
export function erasedKeyIdsOf(stored: StoredEvent): readonly string[] {
  if (stored.type !== 'erasure.completed') return [];
  const { keyIds } = stored.data as { keyIds?: readonly string[] };
  return keyIds ?? [];
}
