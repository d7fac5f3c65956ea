import { REAL_USES, addMonths, assertNever, categoryOf, type SubjectEvent } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';

export interface FieldView {
  readonly value: string;
  readonly purpose: string | null;
  readonly lawfulBasis: string | null;
  readonly source: string;
  readonly collectedAt: string;
  readonly updatedAt: string;
}

/** One person's current data state: CONTRACT §2, plus `restriction` and `objections[].raisedAt`. */
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

/**
 * Folds one recorded event into a view the caller owns (new from `emptyStateView`, or just parsed
 * from its row), in place: a replay folds millions of events, and a copy of the view per event
 * was most of its work. Every real use (collection, correction, use, disclosure) resets the
 * retention clock; `withRetention` turns it into a due date.
 */
export function foldIntoStateView(view: SubjectStateView, stored: StoredEvent): void {
  const v = view as Draft;
  const event = stored as unknown as SubjectEvent & StoredEvent;
  const at = stored.meta.occurredAt;
  if (REAL_USES.has(event.type) || v.lastActivityAt === null) v.lastActivityAt = later(v.lastActivityAt, at);
  const linked = event.personal?.linkedRef;
  if (linked) v.refs = [...v.refs, linked];
  v.version = stored.revision + 1;
  const source = stored.meta.source;
  switch (event.type) {
    case 'data.collected':
      for (const key of event.data.fields) {
        const value = event.personal.values[key]!;
        v.data[key] = {
          value,
          purpose: event.data.purpose,
          lawfulBasis: event.data.lawfulBasis,
          source,
          collectedAt: at,
          updatedAt: at,
        };
      }
      return;
    case 'data.corrected':
      for (const key of event.data.fields) {
        const value = event.personal.values[key]!;
        const before = v.data[key];
        v.data[key] = before
          ? { ...before, value, updatedAt: at }
          : { value, purpose: null, lawfulBasis: null, source, collectedAt: at, updatedAt: at };
      }
      return;
    case 'data.used':
    case 'data.disclosed':
    case 'access.requested':
    case 'erasure.requested':
    case 'erasure.refused':
    case 'erasure.acknowledged':
      return;
    case 'consent.given':
    case 'consent.withdrawn': {
      const status = event.type === 'consent.given' ? 'given' : 'withdrawn';
      const policyVersion =
        event.type === 'consent.given'
          ? event.data.policyVersion
          : (v.consents[event.data.purpose]?.policyVersion ?? '');
      v.consents = { ...v.consents, [event.data.purpose]: { status, policyVersion, channel: event.data.channel, at } };
      return;
    }
    case 'objection.raised':
      v.objections = [
        ...v.objections,
        { id: event.data.objectionId, purposes: event.data.purposes, status: 'open', raisedAt: at },
      ];
      return;
    case 'objection.resolved':
      v.objections = v.objections.map((o) =>
        o.id === event.data.objectionId ? { ...o, status: event.data.outcome } : o,
      );
      return;
    case 'restriction.placed':
      v.status = 'restricted';
      v.restriction = { reason: event.personal.reason, since: at };
      return;
    case 'restriction.lifted':
      v.status = 'active';
      v.restriction = null;
      return;
    case 'legal-hold.placed':
      v.legalHolds = [
        ...v.legalHolds,
        {
          id: event.data.holdId,
          reason: event.personal.reason,
          ...(event.data.until ? { until: event.data.until } : {}),
        },
      ];
      return;
    case 'legal-hold.lifted':
      v.legalHolds = v.legalHolds.filter((h) => !event.data.holdIds.includes(h.id));
      return;
    case 'erasure.completed': {
      if (event.data.scope !== 'all') {
        const erased = new Set(event.data.categories);
        v.data = Object.fromEntries(Object.entries(v.data).filter(([key]) => !erased.has(categoryOf(key))));
        return;
      }
      // The values go; the proof (consents, objections: ids, purposes, times) stays.
      v.status = 'erased';
      v.refs = [];
      v.data = {};
      v.legalHolds = [];
      v.restriction = null;
      v.erasedAt = stored.recordedAt;
      return;
    }
    default:
      return assertNever(event);
  }
}
