import { REAL_USES, assertNever, categoryOf, type SubjectEvent } from '#ledger/domain';
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
  readonly consents: Readonly<Record<string, { status: 'given' | 'withdrawn'; policyVersion: string; channel: string; at: string }>>;
  readonly objections: ReadonlyArray<{ id: string; purposes: readonly string[]; status: 'open' | 'upheld' | 'rejected'; raisedAt: string }>;
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

const addMonths = (iso: string, months: number): string => {
  const d = new Date(iso);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString();
};

const later = (a: string | null, b: string): string => (a !== null && a > b ? a : b);

/**
 * Folds one recorded event into the view. Pure; `retentionMonths` comes from the policy.
 * Every real use (collection, correction, use, disclosure) resets the retention clock.
 */
export function evolveStateView(view: SubjectStateView, stored: StoredEvent, retentionMonths: number): SubjectStateView {
  const event = stored as unknown as SubjectEvent & StoredEvent;
  const at = stored.meta.occurredAt;
  const isUse = REAL_USES.has(event.type);
  const lastActivityAt = isUse || view.lastActivityAt === null ? later(view.lastActivityAt, at) : view.lastActivityAt;
  const linked = event.personal?.linkedRef;
  const v: SubjectStateView = {
    ...view,
    refs: linked ? [...view.refs, linked] : view.refs,
    version: stored.revision + 1,
    lastActivityAt,
    retentionDueAt: view.erasedAt ? null : addMonths(lastActivityAt, retentionMonths),
  };
  const source = stored.meta.source;
  switch (event.type) {
    case 'data.collected': {
      const data = { ...v.data };
      for (const key of event.data.fields) {
        const value = event.personal.values[key]!;
        data[key] = { value, purpose: event.data.purpose, lawfulBasis: event.data.lawfulBasis, source, collectedAt: at, updatedAt: at };
      }
      return { ...v, data };
    }
    case 'data.corrected': {
      const data = { ...v.data };
      for (const key of event.data.fields) {
        const value = event.personal.values[key]!;
        const before = data[key];
        data[key] = before
          ? { ...before, value, updatedAt: at }
          : { value, purpose: null, lawfulBasis: null, source, collectedAt: at, updatedAt: at };
      }
      return { ...v, data };
    }
    case 'data.used':
    case 'data.disclosed':
    case 'access.requested':
    case 'erasure.requested':
    case 'erasure.refused':
    case 'erasure.acknowledged':
      return v;
    case 'consent.given':
    case 'consent.withdrawn': {
      const status = event.type === 'consent.given' ? 'given' : 'withdrawn';
      const policyVersion = event.type === 'consent.given' ? event.data.policyVersion : (v.consents[event.data.purpose]?.policyVersion ?? '');
      return { ...v, consents: { ...v.consents, [event.data.purpose]: { status, policyVersion, channel: event.data.channel, at } } };
    }
    case 'objection.raised':
      return { ...v, objections: [...v.objections, { id: event.data.objectionId, purposes: event.data.purposes, status: 'open', raisedAt: at }] };
    case 'objection.resolved':
      return {
        ...v,
        objections: v.objections.map((o) => (o.id === event.data.objectionId ? { ...o, status: event.data.outcome } : o)),
      };
    case 'restriction.placed':
      return { ...v, status: 'restricted', restriction: { reason: event.personal.reason, since: at } };
    case 'restriction.lifted':
      return { ...v, status: 'active', restriction: null };
    case 'legal-hold.placed': {
      const hold = { id: event.data.holdId, reason: event.personal.reason, ...(event.data.until ? { until: event.data.until } : {}) };
      return { ...v, legalHolds: [...v.legalHolds, hold] };
    }
    case 'legal-hold.lifted':
      return { ...v, legalHolds: v.legalHolds.filter((h) => !event.data.holdIds.includes(h.id)) };
    case 'erasure.completed': {
      if (event.data.scope !== 'all') {
        const erased = new Set(event.data.categories);
        return { ...v, data: Object.fromEntries(Object.entries(v.data).filter(([key]) => !erased.has(categoryOf(key)))) };
      }
      // The values go; the proof (consents, objections: ids, purposes, times) stays.
      return {
        ...v,
        status: 'erased',
        refs: [],
        data: {},
        legalHolds: [],
        restriction: null,
        erasedAt: stored.recordedAt,
        retentionDueAt: null,
      };
    }
    default:
      return assertNever(event);
  }
}
