import type { TrailEntry } from '#ledger/projections';

/** One erasure request and what became of it. */
export interface ErasureRecord {
  readonly requestId: string;
  readonly requestedAt: string;
  readonly reason: string;
  readonly scope: 'all' | readonly string[];
  readonly outcome: 'completed' | 'refused';
  readonly decidedAt: string;
  readonly categories?: readonly string[];
  readonly fields?: readonly string[];
  readonly keyIds?: readonly string[];
  readonly refusedUnderHolds?: readonly string[];
}

/** Everyone who holds or held a copy and must be told (Art. 19), and whether they confirmed. */
export interface NotifyEntry {
  readonly system: string;
  readonly as: ReadonlyArray<'source' | 'recipient'>;
  readonly acknowledgedAt: string | null;
}

/** The proof of erasure for one person, folded from the trail alone: no personal value in it. */
export interface ErasureCertificate {
  readonly subjectId: string;
  readonly status: 'none' | 'refused' | 'partially-erased' | 'erased';
  readonly erasures: readonly ErasureRecord[];
  readonly notify: readonly NotifyEntry[];
  readonly projectionsPurged: readonly string[];
  readonly trail: { readonly events: number; readonly lastHash: string | null };
}

export const emptyCertificate = (subjectId: string): ErasureCertificate => ({
  subjectId,
  status: 'none',
  erasures: [],
  notify: [],
  projectionsPurged: [],
  trail: { events: 0, lastHash: null },
});

/** The read models that held this person's values, and what erasure did to each. */
export const PURGED_PROJECTIONS = [
  'subject-state: values, refs, hold and restriction reasons removed',
  'ref index: blind-index rows deleted, so the refs resolve to nobody',
];

const notice = (notify: readonly NotifyEntry[], system: string, as: 'source' | 'recipient'): NotifyEntry[] => {
  const existing = notify.find((n) => n.system === system);
  if (!existing) return [...notify, { system, as: [as], acknowledgedAt: null }];
  if (existing.as.includes(as)) return [...notify];
  return notify.map((n) => (n === existing ? { ...n, as: [...n.as, as] } : n));
};

/** Folds one trail entry into the subject's certificate. Pure. */
export function evolveCertificate(c: ErasureCertificate, e: TrailEntry): ErasureCertificate {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a trail entry's details, read per event type below
  const data = { ...e.details, fields: e.fields } as Record<string, any>;
  // The ledger's own retention sweep is a source of events, not a holder of copies.
  let notify = e.source === 'ledger' ? [...c.notify] : notice(c.notify, e.source, 'source');
  let { erasures, status, projectionsPurged } = c;
  const at = e.recordedAt;
  const erasureStatus = (scope: unknown): ErasureCertificate['status'] =>
    scope === 'all' ? 'erased' : 'partially-erased';
  const requested = (requestId: string) => ({
    requestId,
    requestedAt: c.erasures.find((r) => r.requestId === requestId)?.requestedAt ?? at,
  });
  switch (e.type) {
    case 'data.disclosed':
      notify = notice(notify, data.recipient, 'recipient');
      break;
    case 'erasure.refused':
      erasures = [
        ...erasures,
        {
          ...requested(data.requestId),
          reason: data.reason,
          scope: data.scope,
          outcome: 'refused',
          decidedAt: at,
          refusedUnderHolds: data.holdIds,
        },
      ];
      if (status === 'none') status = 'refused';
      break;
    case 'erasure.completed':
      erasures = [
        ...erasures,
        {
          ...requested(data.requestId),
          reason: data.reason,
          scope: data.scope,
          outcome: 'completed',
          decidedAt: at,
          categories: data.categories,
          fields: data.fields,
          keyIds: data.keyIds ?? [],
        },
      ];
      status = status === 'erased' ? status : erasureStatus(data.scope);
      projectionsPurged = PURGED_PROJECTIONS;
      break;
    case 'erasure.acknowledged':
      notify = notify.some((n) => n.system === data.system)
        ? notify.map((n) => (n.system === data.system ? { ...n, acknowledgedAt: at } : n))
        : [...notify, { system: data.system, as: [], acknowledgedAt: at }];
      break;
    default:
      break;
  }
  return { ...c, status, erasures, notify, projectionsPurged, trail: { events: e.revision + 1, lastHash: e.hash } };
}

/** The certificate of a subject from its whole trail. */
export const certificateOf = (subjectId: string, trail: readonly TrailEntry[]): ErasureCertificate =>
  trail.reduce(evolveCertificate, emptyCertificate(subjectId));
