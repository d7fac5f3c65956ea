/**
 * The inbound envelope of CONTRACT §1 once it has passed validation at the edge (HTTP or Kafka).
 * One union member per type, so the decider's table of decisions is checked for completeness.
 */
export type FieldValues = Readonly<Record<string, string>>;
export type CollectedFrom = 'subject' | 'third-party' | 'processor';
export type ErasureReason = 'subject-request' | 'purpose-ended' | 'objection-upheld' | 'retention-expired';

/** `{ ref }` names a person by an upstream id; `{ id }` by the ledger's own subject id. */
export type SubjectAddress =
  { readonly ref: string; readonly id?: undefined } | { readonly id: string; readonly ref?: undefined };

interface Envelope<Type extends string, Data> {
  readonly id: string;
  readonly type: Type;
  readonly occurredAt: string;
  readonly source: string;
  readonly actor?: string;
  readonly subject: SubjectAddress;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly data: Data;
}

export type DataCollected = Envelope<
  'data.collected',
  { purpose: string; fields: FieldValues; collectedFrom: CollectedFrom; lawfulBasis?: string }
>;
export type DataCorrected = Envelope<'data.corrected', { fields: FieldValues; reason?: string }>;
export type DataUsed = Envelope<'data.used', { purpose: string; fields?: readonly string[]; description?: string }>;
export type DataDisclosed = Envelope<
  'data.disclosed',
  { recipient: string; purpose: string; fields: readonly string[] }
>;
export type ConsentGiven = Envelope<
  'consent.given',
  { purpose: string; policyVersion: string; channel: string; evidence?: string }
>;
export type ConsentWithdrawn = Envelope<'consent.withdrawn', { purpose: string; channel: string }>;
export type ObjectionRaised = Envelope<'objection.raised', { purposes: readonly string[]; grounds: string }>;
export type ObjectionResolved = Envelope<
  'objection.resolved',
  { objectionId: string; outcome: 'upheld' | 'rejected'; reason: string }
>;
export type RestrictionPlaced = Envelope<'restriction.placed', { reason: string }>;
export type RestrictionLifted = Envelope<'restriction.lifted', { reason: string }>;
/** `until` is when the law or order stops requiring storage, if known. */
export type LegalHoldPlaced = Envelope<'legal-hold.placed', { reason: string; until?: string }>;
/** `holdId` (an addition to the contract) names one hold; without it every hold is lifted. */
export type LegalHoldLifted = Envelope<'legal-hold.lifted', { reason: string; holdId?: string }>;
export type AccessRequested = Envelope<'access.requested', { channel?: string }>;
export type ErasureRequested = Envelope<
  'erasure.requested',
  { scope: 'all' | readonly string[]; reason: ErasureReason }
>;
export type ErasureAcknowledged = Envelope<'erasure.acknowledged', { system: string }>;
/** The kinds of data-subject request (CONTRACT §8); `access` and `erasure` also have envelopes of their own. */
export type RequestKind = 'access' | 'rectification' | 'erasure' | 'restriction' | 'objection' | 'portability';
export const REQUEST_KINDS: readonly RequestKind[] = [
  'access',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'portability',
];
export type RequestOutcome = 'fulfilled' | 'partially-fulfilled' | 'refused';
export const REQUEST_OUTCOMES: readonly RequestOutcome[] = ['fulfilled', 'partially-fulfilled', 'refused'];
/** The envelope's `id` is the request id. */
export type RequestReceived = Envelope<'request.received', { kind: RequestKind; channel: string }>;
export type RequestIdentityVerified = Envelope<'request.identity-verified', { requestId: string; method: string }>;
export type RequestExtended = Envelope<'request.extended', { requestId: string; months: number; reason: string }>;
export type RequestAnswered = Envelope<
  'request.answered',
  { requestId: string; outcome: RequestOutcome; reason?: string }
>;

export type InboundEnvelope =
  | DataCollected
  | DataCorrected
  | DataUsed
  | DataDisclosed
  | ConsentGiven
  | ConsentWithdrawn
  | ObjectionRaised
  | ObjectionResolved
  | RestrictionPlaced
  | RestrictionLifted
  | LegalHoldPlaced
  | LegalHoldLifted
  | AccessRequested
  | ErasureRequested
  | ErasureAcknowledged
  | RequestReceived
  | RequestIdentityVerified
  | RequestExtended
  | RequestAnswered;

export type InboundType = InboundEnvelope['type'];

export const INBOUND_TYPES: readonly InboundType[] = [
  'data.collected',
  'data.corrected',
  'data.used',
  'data.disclosed',
  'consent.given',
  'consent.withdrawn',
  'objection.raised',
  'objection.resolved',
  'restriction.placed',
  'restriction.lifted',
  'legal-hold.placed',
  'legal-hold.lifted',
  'access.requested',
  'erasure.requested',
  'erasure.acknowledged',
  'request.received',
  'request.identity-verified',
  'request.extended',
  'request.answered',
];
