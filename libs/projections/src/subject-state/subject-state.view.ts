import {
  REAL_USES,
  addMonths,
  assertNever,
  categoryOf,
  isSubjectEventType,
  requestDates,
  type RequestKind,
  type RequestOutcome,
  type SubjectEvent,
  type SubjectEventType,
} from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';

export interface FieldView {
  readonly value: string;
  readonly purpose: string | null;
  readonly lawfulBasis: string | null;
  readonly source: string;
  readonly collectedAt: string;
  readonly updatedAt: string;
}

/** A data-subject request in the person's state and in the register (CONTRACT §8). */
export interface RequestView {
  readonly requestId: string;
  readonly kind: RequestKind;
  readonly receivedAt: string;
  /** YYYY-MM-DD in Europe/Oslo; the whole day still counts as in time. */
  readonly dueDate: string;
  readonly status: 'open' | 'answered';
  readonly extendedMonths: number;
  readonly answeredAt: string | null;
  readonly outcome: RequestOutcome | null;
  readonly onTime: boolean | null;
}

/** One person's current data state: CONTRACT §2 and §8, plus `restriction` and `objections[].raisedAt`. */
export interface SubjectStateView {
  readonly subjectId: string;
  readonly status: 'active' | 'restricted' | 'erased';
  readonly refs: readonly string[];
  readonly data: Readonly<Record<string, FieldView>>;
  readonly consents: Readonly<
    Record<string, { status: 'given' | 'withdrawn'; policyVersion: string; channel: string; at: string }>
  >;
  readonly objections: ReadonlyArray<{
    id: string;
    purposes: readonly string[];
    status: 'open' | 'upheld' | 'rejected';
    raisedAt: string;
  }>;
  readonly legalHolds: ReadonlyArray<{ id: string; reason: string; until?: string }>;
  readonly restriction: { readonly reason: string; readonly since: string } | null;
  readonly requests: readonly RequestView[];
  readonly lastActivityAt: string | null;
  readonly retentionDueAt: string | null;
  readonly erasedAt: string | null;
  readonly version: number;
}

export const emptyStateView = (subjectId: string): SubjectStateView => ({
  subjectId,
  status: 'active',
  refs: [],
  data: {},
  consents: {},
  objections: [],
  legalHolds: [],
  restriction: null,
  requests: [],
  lastActivityAt: null,
  retentionDueAt: null,
  erasedAt: null,
  version: 0,
});

/**
 * Where a sealed value of the view was sealed: a field's value at its field key, a ref as the
 * event's `linkedRef`, a hold's or a restriction's reason as `reason`. A value moved to another
 * place in the row does not open there.
 */
export const placeInStateView = (path: readonly string[]): string =>
  path[0] === 'data' ? path[1]! : path[0] === 'refs' ? 'linkedRef' : path[path.length - 1]!;

const later = (a: string | null, b: string): string => (a !== null && a > b ? a : b);

/**
 * The retention due date of a folded view: `retentionMonths` (from the policy) after the last
 * real use. Set once per written row, not per event: it depends on `lastActivityAt` alone.
 */
export const withRetention = (view: SubjectStateView, retentionMonths: number): SubjectStateView => {
  const retentionDueAt =
    view.erasedAt || view.lastActivityAt === null ? null : addMonths(view.lastActivityAt, retentionMonths);
  return retentionDueAt === view.retentionDueAt ? view : { ...view, retentionDueAt };
};

type Draft = { -readonly [K in keyof SubjectStateView]: SubjectStateView[K] } & { data: Record<string, FieldView> };
export type StoredOf<T extends SubjectEventType> = StoredEvent & Extract<SubjectEvent, { readonly type: T }>;
type Fold<T extends SubjectEventType> = (v: Draft, event: StoredOf<T>) => void;

/**
 * A stored event of a subject stream read as the domain event it holds: a narrowing, not a copy,
 * since a rebuild folds every event. Stored subject events are in the current schema (no
 * upcasters yet, see libs/recording): the first upcaster has to run here too.
 */
const isSubjectEvent = (stored: StoredEvent): stored is StoredEvent & SubjectEvent => isSubjectEventType(stored.type);

const collected: Fold<'data.collected'> = (v, { data, personal, meta }) => {
  const at = meta.occurredAt;
  for (const key of data.fields) {
    const value = personal.values[key]!;
    v.data[key] = {
      value,
      purpose: data.purpose,
      lawfulBasis: data.lawfulBasis,
      source: meta.source,
      collectedAt: at,
      updatedAt: at,
    };
  }
};

/** A correction of a field never collected keeps its value with no purpose or basis. */
const corrected: Fold<'data.corrected'> = (v, { data, personal, meta }) => {
  const at = meta.occurredAt;
  for (const key of data.fields) {
    const value = personal.values[key]!;
    const before = v.data[key];
    v.data[key] = before
      ? { ...before, value, updatedAt: at }
      : { value, purpose: null, lawfulBasis: null, source: meta.source, collectedAt: at, updatedAt: at };
  }
};

const consentGiven: Fold<'consent.given'> = (v, { data, meta }) => {
  const consent = {
    status: 'given' as const,
    policyVersion: data.policyVersion,
    channel: data.channel,
    at: meta.occurredAt,
  };
  v.consents = { ...v.consents, [data.purpose]: consent };
};

const consentWithdrawn: Fold<'consent.withdrawn'> = (v, { data, meta }) => {
  const policyVersion = v.consents[data.purpose]?.policyVersion ?? '';
  const consent = { status: 'withdrawn' as const, policyVersion, channel: data.channel, at: meta.occurredAt };
  v.consents = { ...v.consents, [data.purpose]: consent };
};

const objectionRaised: Fold<'objection.raised'> = (v, { data, meta }) => {
  const raised = { id: data.objectionId, purposes: data.purposes, status: 'open' as const, raisedAt: meta.occurredAt };
  v.objections = [...v.objections, raised];
};

const objectionResolved: Fold<'objection.resolved'> = (v, { data }) => {
  v.objections = v.objections.map((o) => (o.id === data.objectionId ? { ...o, status: data.outcome } : o));
};

const restrictionPlaced: Fold<'restriction.placed'> = (v, { personal, meta }) => {
  v.status = 'restricted';
  v.restriction = { reason: personal.reason, since: meta.occurredAt };
};

const restrictionLifted: Fold<'restriction.lifted'> = (v) => {
  v.status = 'active';
  v.restriction = null;
};

const holdPlaced: Fold<'legal-hold.placed'> = (v, { data, personal }) => {
  const hold = { id: data.holdId, reason: personal.reason, ...(data.until ? { until: data.until } : {}) };
  v.legalHolds = [...v.legalHolds, hold];
};

const holdsLifted: Fold<'legal-hold.lifted'> = (v, { data }) => {
  v.legalHolds = v.legalHolds.filter((h) => !data.holdIds.includes(h.id));
};

/** The values go; the proof (consents, objections: ids, purposes, times) stays. */
const erasureCompleted: Fold<'erasure.completed'> = (v, { data, recordedAt }) => {
  if (data.scope !== 'all') {
    const erased = new Set(data.categories);
    v.data = Object.fromEntries(Object.entries(v.data).filter(([key]) => !erased.has(categoryOf(key))));
    return;
  }
  v.status = 'erased';
  v.refs = [];
  v.data = {};
  v.legalHolds = [];
  v.restriction = null;
  v.erasedAt = recordedAt;
};

/** What holds a person's requests: their state, and their row of the register. */
interface HoldsRequests {
  requests: readonly RequestView[];
}

/** A request opened; a row written before the register has no `requests` yet. */
const requestOpened = (
  v: HoldsRequests,
  meta: StoredEvent['meta'],
  requestId: string,
  kind: RequestKind,
  data: Parameters<typeof requestDates>[0],
): void => {
  const dates = requestDates(data);
  const opened: RequestView = {
    requestId,
    kind,
    receivedAt: dates.receivedAt ?? meta.occurredAt,
    dueDate: dates.dueDate,
    status: 'open',
    extendedMonths: 0,
    answeredAt: null,
    outcome: null,
    onTime: null,
  };
  v.requests = [...(v.requests ?? []), opened];
};

const requestChanged = (v: HoldsRequests, requestId: string, change: Partial<RequestView>): void => {
  v.requests = (v.requests ?? []).map((r) => (r.requestId === requestId ? { ...r, ...change } : r));
};

/** The event types that open or change a request. */
export const REQUEST_EVENT_TYPES: ReadonlySet<string> = new Set([
  'access.requested',
  'erasure.requested',
  'request.received',
  'request.extended',
  'request.answered',
]);

/** Folds an event that opens or changes a request into the requests it holds, in place. */
export const foldRequestEvent = (
  v: HoldsRequests,
  event: StoredOf<
    'access.requested' | 'erasure.requested' | 'request.received' | 'request.extended' | 'request.answered'
  >,
): void => {
  switch (event.type) {
    case 'access.requested':
      return requestOpened(v, event.meta, event.data.requestId, 'access', event.data);
    case 'erasure.requested':
      if (event.data.reason !== 'subject-request') return;
      return requestOpened(v, event.meta, event.data.requestId, 'erasure', event.data);
    case 'request.received':
      return requestOpened(v, event.meta, event.data.requestId, event.data.kind, event.data);
    case 'request.extended':
      return requestChanged(v, event.data.requestId, {
        dueDate: event.data.dueDate,
        extendedMonths: event.data.extendedMonths,
      });
    case 'request.answered': {
      const { requestId, outcome, answeredAt, onTime } = event.data;
      return requestChanged(v, requestId, { status: 'answered', outcome, answeredAt, onTime });
    }
  }
};

/**
 * The fold for the event's type. A switch, not a table of folds: each case is a call site of its
 * own that V8 can inline, and a rebuild folds every event.
 */
function foldByType(v: Draft, event: StoredEvent & SubjectEvent): void {
  switch (event.type) {
    case 'data.collected':
      return collected(v, event);
    case 'data.corrected':
      return corrected(v, event);
    case 'consent.given':
      return consentGiven(v, event);
    case 'consent.withdrawn':
      return consentWithdrawn(v, event);
    case 'objection.raised':
      return objectionRaised(v, event);
    case 'objection.resolved':
      return objectionResolved(v, event);
    case 'restriction.placed':
      return restrictionPlaced(v, event);
    case 'restriction.lifted':
      return restrictionLifted(v, event);
    case 'legal-hold.placed':
      return holdPlaced(v, event);
    case 'legal-hold.lifted':
      return holdsLifted(v, event);
    case 'erasure.completed':
      return erasureCompleted(v, event);
    case 'access.requested':
    case 'erasure.requested':
    case 'request.received':
    case 'request.extended':
    case 'request.answered':
      return foldRequestEvent(v, event);
    case 'data.used':
    case 'data.disclosed':
    case 'request.identity-verified':
    case 'erasure.refused':
    case 'erasure.acknowledged':
      return;
    default:
      return assertNever(event);
  }
}

/** What every event changes: the activity clock (on a real use, or the first event), a linked ref, the version. */
const noteEvent = (v: Draft, event: StoredEvent & SubjectEvent): void => {
  if (REAL_USES.has(event.type) || v.lastActivityAt === null)
    v.lastActivityAt = later(v.lastActivityAt, event.meta.occurredAt);
  const linked = event.personal?.linkedRef;
  if (linked) v.refs = [...v.refs, linked];
  v.version = event.revision + 1;
};

/**
 * Folds one recorded event into a view the caller owns (new from `emptyStateView`, or just parsed
 * from its row), in place: a replay folds every event, and a copy of the view per event would be
 * most of its work. Every real use (collection, correction, use, disclosure) resets the
 * retention clock; `withRetention` turns it into a due date.
 */
export function foldIntoStateView(view: SubjectStateView, stored: StoredEvent): void {
  if (!isSubjectEvent(stored)) throw new Error(`not a subject event type: ${stored.type} (event ${stored.eventId})`);
  const v = view as Draft;
  noteEvent(v, stored);
  foldByType(v, stored);
}
