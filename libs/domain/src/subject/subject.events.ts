import type { CollectedFrom, ErasureReason, FieldValues, RequestKind, RequestOutcome } from '../envelope/envelope';

/**
 * What the ledger records about one data subject. Every event keeps its personal values in
 * `personal`, apart from the metadata in `data`: the trail shows `data`, and `personal` is what
 * encryption at rest covers and erasure makes unreadable. The type strings are stored forever and
 * written by hand here; renaming one is a migration, not a refactor.
 */
type Recorded<Type extends string, Data, Personal = Record<never, never>> = {
  readonly type: Type;
  readonly data: Data & RefLink['data'];
  readonly personal: Personal & RefLink['personal'];
};

/**
 * The first event that names a subject by a ref it does not carry yet links that ref: the ref
 * (personal) and its system (metadata) ride on that event rather than on one of their own, which
 * would double the events of every new person.
 */
export interface RefLink {
  readonly data: { readonly linkedRefSystem?: string };
  readonly personal: { readonly linkedRef?: string };
}
export type DataCollectedEvent = Recorded<
  'data.collected',
  { purpose: string; lawfulBasis: string; collectedFrom: CollectedFrom; fields: string[] },
  { values: FieldValues }
>;
/** The old value is superseded, never overwritten: it stays in the earlier event. */
export type DataCorrectedEvent = Recorded<
  'data.corrected',
  { fields: string[] },
  { values: FieldValues; reason?: string }
>;
export type DataUsedEvent = Recorded<
  'data.used',
  { purpose: string; lawfulBasis: string; fields: string[] },
  { description?: string }
>;
export type DataDisclosedEvent = Recorded<
  'data.disclosed',
  { recipient: string; purpose: string; lawfulBasis: string; fields: string[] }
>;
export type ConsentGivenEvent = Recorded<
  'consent.given',
  { purpose: string; policyVersion: string; channel: string },
  { evidence?: string }
>;
export type ConsentWithdrawnEvent = Recorded<'consent.withdrawn', { purpose: string; channel: string }>;
/** objection: the person opposes processing on legitimate interest (Art. 21), with grounds. */
export type ObjectionRaisedEvent = Recorded<
  'objection.raised',
  { objectionId: string; purposes: string[] },
  { grounds: string }
>;
export type ObjectionResolvedEvent = Recorded<
  'objection.resolved',
  { objectionId: string; outcome: 'upheld' | 'rejected'; purposes: string[] },
  { reason: string }
>;
/** restriction: data kept but not used (Art. 18). */
export type RestrictionPlacedEvent = Recorded<'restriction.placed', Record<never, never>, { reason: string }>;
export type RestrictionLiftedEvent = Recorded<'restriction.lifted', Record<never, never>, { reason: string }>;
/** legal hold: another law or a public order requires storage; it blocks erasure. */
export type LegalHoldPlacedEvent = Recorded<
  'legal-hold.placed',
  { holdId: string; until?: string },
  { reason: string }
>;
export type LegalHoldLiftedEvent = Recorded<'legal-hold.lifted', { holdIds: string[] }, { reason: string }>;
/**
 * When a request was received (the envelope's `occurredAt`) and the date it is due, as the law
 * counts it. Events recorded before the register carry `dueAt` (an instant) instead: they stay
 * readable, read through `requestDates`.
 */
export type RequestDates = { receivedAt: string; dueDate: string } | { dueAt: string };
export type AccessRequestedEvent = Recorded<'access.requested', { requestId: string; channel?: string } & RequestDates>;
export type ErasureRequestedEvent = Recorded<
  'erasure.requested',
  { requestId: string; scope: 'all' | string[]; reason: ErasureReason } & RequestDates
>;
/**
 * The values are gone; what they were (categories, field keys) stays as proof. The data keys
 * destroyed with them are a sealing fact, not a decision: the writer stores them beside this
 * data (`keyIds`), since only it knows the keys.
 */
export type ErasureCompletedEvent = Recorded<
  'erasure.completed',
  { requestId: string; scope: 'all' | string[]; reason: ErasureReason; categories: string[]; fields: string[] }
>;
export type ErasureRefusedEvent = Recorded<
  'erasure.refused',
  { requestId: string; scope: 'all' | string[]; reason: ErasureReason; holdIds: string[] }
>;
export type ErasureAcknowledgedEvent = Recorded<'erasure.acknowledged', { system: string }>;
export type RequestReceivedEvent = Recorded<
  'request.received',
  { requestId: string; kind: RequestKind; channel: string; receivedAt: string; dueDate: string }
>;
export type RequestIdentityVerifiedEvent = Recorded<'request.identity-verified', { requestId: string; method: string }>;
/** `extendedMonths` is the extension in all, `dueDate` the new one; the reason may name the person's case. */
export type RequestExtendedEvent = Recorded<
  'request.extended',
  { requestId: string; months: number; extendedMonths: number; dueDate: string },
  { reason: string }
>;
/** Also recorded by the ledger when an erasure completes or is refused, answering an erasure request. */
export type RequestAnsweredEvent = Recorded<
  'request.answered',
  { requestId: string; outcome: RequestOutcome; answeredAt: string; onTime: boolean },
  { reason?: string }
>;

export type SubjectEvent =
  | DataCollectedEvent
  | DataCorrectedEvent
  | DataUsedEvent
  | DataDisclosedEvent
  | ConsentGivenEvent
  | ConsentWithdrawnEvent
  | ObjectionRaisedEvent
  | ObjectionResolvedEvent
  | RestrictionPlacedEvent
  | RestrictionLiftedEvent
  | LegalHoldPlacedEvent
  | LegalHoldLiftedEvent
  | AccessRequestedEvent
  | ErasureRequestedEvent
  | ErasureCompletedEvent
  | ErasureRefusedEvent
  | ErasureAcknowledgedEvent
  | RequestReceivedEvent
  | RequestIdentityVerifiedEvent
  | RequestExtendedEvent
  | RequestAnsweredEvent;

export type SubjectEventType = SubjectEvent['type'];

/** Every type string a subject's stream may hold: the compiler insists a new event is named here. */
export const SUBJECT_EVENT_TYPES: ReadonlySet<string> = new Set(
  Object.keys({
    'data.collected': true,
    'data.corrected': true,
    'data.used': true,
    'data.disclosed': true,
    'consent.given': true,
    'consent.withdrawn': true,
    'objection.raised': true,
    'objection.resolved': true,
    'restriction.placed': true,
    'restriction.lifted': true,
    'legal-hold.placed': true,
    'legal-hold.lifted': true,
    'access.requested': true,
    'erasure.requested': true,
    'erasure.completed': true,
    'erasure.refused': true,
    'erasure.acknowledged': true,
    'request.received': true,
    'request.identity-verified': true,
    'request.extended': true,
    'request.answered': true,
  } satisfies Record<SubjectEventType, true>),
);

export const isSubjectEventType = (type: string): type is SubjectEventType => SUBJECT_EVENT_TYPES.has(type);

/** Uses that reset the retention clock ("every real use resets the clock"). */
export const REAL_USES: ReadonlySet<SubjectEventType> = new Set([
  'data.collected',
  'data.corrected',
  'data.used',
  'data.disclosed',
]);

export const assertNever = (value: never): never => {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
};
