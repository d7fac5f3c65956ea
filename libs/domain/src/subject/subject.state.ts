import type { RequestKind } from '../envelope/envelope';
import { categoryOf } from '../policy/policy';
import { osloDate } from '../requests/legal-deadline';
import type { RequestDates, SubjectEvent, SubjectEventType } from './subject.events';

export type ObjectionStatus = 'open' | 'upheld' | 'rejected';

/** A data-subject request as the decider needs it: enough to judge an extension or an answer. */
export interface RequestState {
  readonly kind: RequestKind;
  /** The instant of receipt; null for a request recorded before receipt was kept (its due date stands). */
  readonly receivedAt: string | null;
  /** The due date without extension, YYYY-MM-DD: an extension must be recorded by then. */
  readonly firstDueDate: string;
  readonly dueDate: string;
  readonly extendedMonths: number;
  readonly open: boolean;
}

/** `until`: when the law or order stops requiring storage; past it, the hold no longer blocks erasure. */
export interface HoldState {
  readonly until?: string;
}

/** Receipt and due date of a request event, new or recorded before the register (an instant `dueAt`). */
export const requestDates = (data: RequestDates): { receivedAt: string | null; dueDate: string } =>
  'dueDate' in data
    ? { receivedAt: data.receivedAt, dueDate: data.dueDate }
    : { receivedAt: null, dueDate: osloDate(data.dueAt) };

/**
 * What the decider must know of a subject to judge the next envelope. It is not the read model
 * (that lives in the projections); apart from the refs, it holds ids and purposes only.
 */
export interface SubjectDecisionState {
  readonly exists: boolean;
  readonly erased: boolean;
  /** The upstream refs linked to the subject. Held in memory only, to know when to link a new one. */
  readonly refs: readonly string[];
  readonly consents: Readonly<Record<string, { readonly given: boolean; readonly policyVersion: string }>>;
  readonly objections: Readonly<
    Record<string, { readonly purposes: readonly string[]; readonly status: ObjectionStatus }>
  >;
  readonly restricted: boolean;
  readonly holds: Readonly<Record<string, HoldState>>;
  /** Field keys that currently hold a value. */
  readonly fields: readonly string[];
  /** The purposes each held field was collected for: when they have all ended, its category goes. */
  readonly fieldPurposes: Readonly<Record<string, readonly string[]>>;
  readonly requests: Readonly<Record<string, RequestState>>;
  /** Purposes data was collected for; an upheld objection or a withdrawal may end them. */
  readonly collectedPurposes: readonly string[];
  /** An erasure refused under a legal hold: it runs when the last hold is lifted. */
  readonly pendingErasure?: {
    readonly requestId: string;
    readonly scope: 'all' | readonly string[];
    readonly reason: string;
  };
}

export const initialSubjectState: SubjectDecisionState = {
  exists: false,
  erased: false,
  refs: [],
  consents: {},
  objections: {},
  restricted: false,
  holds: {},
  fields: [],
  fieldPurposes: {},
  requests: {},
  collectedPurposes: [],
};

/** `keys` and then those of `added` it lacks, in order: `keys` itself when it lacks none (most events). */
const withKeys = (keys: readonly string[], added: readonly string[]): readonly string[] => {
  let grown: string[] | null = null;
  for (const key of added) {
    if (keys.includes(key) || grown?.includes(key)) continue;
    (grown ??= [...keys]).push(key);
  }
  return grown ?? keys;
};

/**
 * `s` with `c` applied, written as one literal of every field: the writer evolves a state for
 * every event it decides, and V8 builds a spread followed by more properties (`{ ...s, fields }`)
 * one transition at a time. A field added to the state must be added here too (the compiler
 * insists on the required ones).
 */
function changed(s: SubjectDecisionState, c: Partial<SubjectDecisionState>): SubjectDecisionState {
  return {
    exists: c.exists ?? s.exists,
    erased: c.erased ?? s.erased,
    refs: c.refs ?? s.refs,
    consents: c.consents ?? s.consents,
    objections: c.objections ?? s.objections,
    restricted: c.restricted ?? s.restricted,
    holds: c.holds ?? s.holds,
    fields: c.fields ?? s.fields,
    fieldPurposes: c.fieldPurposes ?? s.fieldPurposes,
    requests: c.requests ?? s.requests,
    collectedPurposes: c.collectedPurposes ?? s.collectedPurposes,
    pendingErasure: 'pendingErasure' in c ? c.pendingErasure : s.pendingErasure,
  };
}

type EventOf<T extends SubjectEventType> = Extract<SubjectEvent, { readonly type: T }>;
type Evolution<T extends SubjectEventType> = (s: SubjectDecisionState, event: EventOf<T>) => SubjectDecisionState;

const unchanged = (s: SubjectDecisionState): SubjectDecisionState => s;

/** The purposes of each field, with `purpose` added to those of `keys`: the same object when none changes. */
const withPurpose = (
  fieldPurposes: SubjectDecisionState['fieldPurposes'],
  keys: readonly string[],
  purpose: string,
): SubjectDecisionState['fieldPurposes'] => {
  let grown: Record<string, readonly string[]> | null = null;
  for (const key of keys) {
    const before = fieldPurposes[key] ?? [];
    if (before.includes(purpose)) continue;
    (grown ??= { ...fieldPurposes })[key] = [...before, purpose];
  }
  return grown ?? fieldPurposes;
};

const collected: Evolution<'data.collected'> = (s, { data }) => {
  const fields = withKeys(s.fields, data.fields);
  const collectedPurposes = withKeys(s.collectedPurposes, [data.purpose]);
  const fieldPurposes = withPurpose(s.fieldPurposes, data.fields, data.purpose);
  return fields === s.fields && collectedPurposes === s.collectedPurposes && fieldPurposes === s.fieldPurposes
    ? s
    : changed(s, { fields, collectedPurposes, fieldPurposes });
};

const corrected: Evolution<'data.corrected'> = (s, { data }) => {
  const fields = withKeys(s.fields, data.fields);
  return fields === s.fields ? s : changed(s, { fields });
};

const consentWithdrawn: Evolution<'consent.withdrawn'> = (s, { data }) => {
  const previous = s.consents[data.purpose];
  const withdrawn = { given: false, policyVersion: previous?.policyVersion ?? '' };
  return changed(s, { consents: { ...s.consents, [data.purpose]: withdrawn } });
};

const holdsLifted: Evolution<'legal-hold.lifted'> = (s, { data }) => {
  const lifted = new Set(data.holdIds);
  return changed(s, { holds: Object.fromEntries(Object.entries(s.holds).filter(([id]) => !lifted.has(id))) });
};

/** Erasing everything ends the subject (and forgets its refs); a scoped erasure removes the fields in scope. */
const erasureCompleted: Evolution<'erasure.completed'> = (s, { data }) => {
  const erasedAll = data.scope === 'all';
  const scope = new Set(data.categories);
  const kept = (key: string) => !erasedAll && !scope.has(categoryOf(key));
  return changed(s, {
    erased: erasedAll,
    refs: erasedAll ? [] : s.refs,
    fields: s.fields.filter(kept),
    fieldPurposes: Object.fromEntries(Object.entries(s.fieldPurposes).filter(([key]) => kept(key))),
    pendingErasure: undefined,
  });
};

const withRequest = (s: SubjectDecisionState, id: string, request: RequestState): SubjectDecisionState =>
  changed(s, { requests: { ...s.requests, [id]: request } });

/** A request opened by its own envelope or by `access.requested` / a subject's `erasure.requested`. */
const opened = (
  s: SubjectDecisionState,
  requestId: string,
  kind: RequestKind,
  data: RequestDates,
): SubjectDecisionState => {
  const { receivedAt, dueDate } = requestDates(data);
  return withRequest(s, requestId, {
    kind,
    receivedAt,
    firstDueDate: dueDate,
    dueDate,
    extendedMonths: 0,
    open: true,
  });
};

const requestExtended: Evolution<'request.extended'> = (s, { data }) => {
  const request = s.requests[data.requestId];
  if (!request) return s;
  return withRequest(s, data.requestId, { ...request, dueDate: data.dueDate, extendedMonths: data.extendedMonths });
};

const requestAnswered: Evolution<'request.answered'> = (s, { data }) => {
  const request = s.requests[data.requestId];
  return request ? withRequest(s, data.requestId, { ...request, open: false }) : s;
};

/** One evolution per event type: the compiler insists a new type gets one. */
const evolutions: { readonly [T in SubjectEventType]: Evolution<T> } = {
  'data.collected': collected,
  'data.corrected': corrected,
  'data.used': unchanged,
  'data.disclosed': unchanged,
  'consent.given': (s, { data }) =>
    changed(s, { consents: { ...s.consents, [data.purpose]: { given: true, policyVersion: data.policyVersion } } }),
  'consent.withdrawn': consentWithdrawn,
  'objection.raised': (s, { data }) =>
    changed(s, { objections: { ...s.objections, [data.objectionId]: { purposes: data.purposes, status: 'open' } } }),
  'objection.resolved': (s, { data }) =>
    changed(s, {
      objections: { ...s.objections, [data.objectionId]: { purposes: data.purposes, status: data.outcome } },
    }),
  'restriction.placed': (s) => changed(s, { restricted: true }),
  'restriction.lifted': (s) => changed(s, { restricted: false }),
  'legal-hold.placed': (s, { data }) =>
    changed(s, { holds: { ...s.holds, [data.holdId]: data.until === undefined ? {} : { until: data.until } } }),
  'legal-hold.lifted': holdsLifted,
  'access.requested': (s, { data }) => opened(s, data.requestId, 'access', data),
  'erasure.requested': (s, { data }) =>
    data.reason === 'subject-request' ? opened(s, data.requestId, 'erasure', data) : s,
  'erasure.refused': (s, { data }) =>
    changed(s, { pendingErasure: { requestId: data.requestId, scope: data.scope, reason: data.reason } }),
  'erasure.completed': erasureCompleted,
  'erasure.acknowledged': unchanged,
  'request.received': (s, { data }) => opened(s, data.requestId, data.kind, data),
  'request.identity-verified': unchanged,
  'request.extended': requestExtended,
  'request.answered': requestAnswered,
};

/** Every event makes the subject exist, and the one that links a ref adds it. */
const withExistence = (state: SubjectDecisionState, event: SubjectEvent): SubjectDecisionState => {
  const linked = event.personal?.linkedRef;
  if (linked) return changed(state, { exists: true, refs: withKeys(state.refs, [linked]) });
  return state.exists ? state : changed(state, { exists: true });
};

/** The type is passed apart from the event so the compiler can pair the evolution with its event. */
const evolveBy = <T extends SubjectEventType>(
  type: T,
  state: SubjectDecisionState,
  event: EventOf<T>,
): SubjectDecisionState => evolutions[type](state, event);

export function evolveSubject(state: SubjectDecisionState, event: SubjectEvent): SubjectDecisionState {
  return evolveBy(event.type, withExistence(state, event), event);
}
