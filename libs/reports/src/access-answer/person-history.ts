import { categoryOf, isSubjectEventType, type CollectedFrom, type SubjectEvent } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import { emptyStateView, foldIntoStateView, withRetention, type SubjectStateView } from '#ledger/projections';

/** A stored subject event with its personal part opened (a value whose key is destroyed reads null). */
export type OpenedEvent = StoredEvent & SubjectEvent;

/** What the answer needs of a person's history beyond their current state. */
export interface PersonHistory {
  /** The state the state GET shows, folded by the same code, with its retention date. */
  readonly state: SubjectStateView;
  /** Per held field: who it came from at its last collection, and when it was corrected since. */
  readonly fields: ReadonlyMap<string, { collectedFrom: CollectedFrom | null; correctedAt: string[] }>;
  readonly disclosures: readonly { recipient: string; purpose: string; fields: readonly string[]; at: string }[];
  readonly collections: readonly {
    source: string;
    collectedFrom: CollectedFrom;
    fields: readonly string[];
    at: string;
  }[];
  readonly erasures: readonly { at: string; reason: string; everything: boolean; categories: readonly string[] }[];
  /** Every purpose the history names: collected, used or disclosed for, consented to, objected to. */
  readonly purposes: ReadonlySet<string>;
}

const isOpenedEvent = (event: StoredEvent): event is OpenedEvent => isSubjectEventType(event.type);

type Draft = {
  fields: Map<string, { collectedFrom: CollectedFrom | null; correctedAt: string[] }>;
  disclosures: PersonHistory['disclosures'][number][];
  collections: PersonHistory['collections'][number][];
  erasures: PersonHistory['erasures'][number][];
  purposes: Set<string>;
};

/** The parts of one event the answer keeps besides the state. */
function note(draft: Draft, event: OpenedEvent): void {
  const at = event.meta.occurredAt;
  switch (event.type) {
    case 'data.collected':
      for (const key of event.data.fields)
        draft.fields.set(key, { collectedFrom: event.data.collectedFrom, correctedAt: [] });
      draft.collections.push({
        source: event.meta.source,
        collectedFrom: event.data.collectedFrom,
        fields: event.data.fields,
        at,
      });
      draft.purposes.add(event.data.purpose);
      return;
    case 'data.corrected':
      for (const key of event.data.fields) {
        const field = draft.fields.get(key) ?? { collectedFrom: null, correctedAt: [] };
        draft.fields.set(key, { ...field, correctedAt: [...field.correctedAt, at] });
      }
      return;
    case 'data.disclosed':
      draft.disclosures.push({
        recipient: event.data.recipient,
        purpose: event.data.purpose,
        fields: event.data.fields,
        at,
      });
      draft.purposes.add(event.data.purpose);
      return;
    case 'data.used':
    case 'consent.given':
    case 'consent.withdrawn':
      draft.purposes.add(event.data.purpose);
      return;
    case 'objection.raised':
      for (const purpose of event.data.purposes) draft.purposes.add(purpose);
      return;
    case 'erasure.completed': {
      const { scope, reason, categories } = event.data;
      draft.erasures.push({ at: event.recordedAt, reason, everything: scope === 'all', categories });
      for (const key of [...draft.fields.keys()])
        if (scope === 'all' || categories.includes(categoryOf(key))) draft.fields.delete(key);
      return;
    }
    default:
      return;
  }
}

/** Folds a person's opened events, oldest first, into what the answer is composed from. */
export function personHistory(events: readonly StoredEvent[], retentionMonths: number): PersonHistory {
  const view = emptyStateView('');
  const draft: Draft = { fields: new Map(), disclosures: [], collections: [], erasures: [], purposes: new Set() };
  for (const event of events) {
    if (!isOpenedEvent(event)) continue;
    foldIntoStateView(view, event);
    note(draft, event);
  }
  return { state: withRetention(view, retentionMonths), ...draft };
}
