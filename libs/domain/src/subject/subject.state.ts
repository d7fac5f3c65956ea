import { categoryOf } from '../policy/policy';
import { assertNever, type SubjectEvent } from './subject.events';

export type ObjectionStatus = 'open' | 'upheld' | 'rejected';

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
  readonly holds: Readonly<Record<string, true>>;
  /** Field keys that currently hold a value. */
  readonly fields: readonly string[];
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
    collectedPurposes: c.collectedPurposes ?? s.collectedPurposes,
    pendingErasure: 'pendingErasure' in c ? c.pendingErasure : s.pendingErasure,
  };
}

export function evolveSubject(state: SubjectDecisionState, event: SubjectEvent): SubjectDecisionState {
  const linked = event.personal?.linkedRef;
  const s = linked
    ? changed(state, { exists: true, refs: withKeys(state.refs, [linked]) })
    : state.exists
      ? state
      : changed(state, { exists: true });
  switch (event.type) {
    case 'data.used':
    case 'data.disclosed':
    case 'access.requested':
    case 'erasure.requested':
    case 'erasure.acknowledged':
      return s;
    case 'data.collected': {
      const fields = withKeys(s.fields, event.data.fields);
      const collectedPurposes = withKeys(s.collectedPurposes, [event.data.purpose]);
      return fields === s.fields && collectedPurposes === s.collectedPurposes
        ? s
        : changed(s, { fields, collectedPurposes });
    }
    case 'data.corrected': {
      const fields = withKeys(s.fields, event.data.fields);
      return fields === s.fields ? s : changed(s, { fields });
    }
    case 'consent.given':
      return changed(s, {
        consents: { ...s.consents, [event.data.purpose]: { given: true, policyVersion: event.data.policyVersion } },
      });
    case 'consent.withdrawn': {
      const previous = s.consents[event.data.purpose];
      return changed(s, {
        consents: {
          ...s.consents,
          [event.data.purpose]: { given: false, policyVersion: previous?.policyVersion ?? '' },
        },
      });
    }
    case 'objection.raised':
      return changed(s, {
        objections: { ...s.objections, [event.data.objectionId]: { purposes: event.data.purposes, status: 'open' } },
      });
    case 'objection.resolved':
      return changed(s, {
        objections: {
          ...s.objections,
          [event.data.objectionId]: { purposes: event.data.purposes, status: event.data.outcome },
        },
      });
    case 'restriction.placed':
      return changed(s, { restricted: true });
    case 'restriction.lifted':
      return changed(s, { restricted: false });
    case 'legal-hold.placed':
      return changed(s, { holds: { ...s.holds, [event.data.holdId]: true } });
    case 'legal-hold.lifted': {
      const lifted = new Set(event.data.holdIds);
      return changed(s, { holds: Object.fromEntries(Object.entries(s.holds).filter(([id]) => !lifted.has(id))) });
    }
    case 'erasure.refused':
      return changed(s, {
        pendingErasure: { requestId: event.data.requestId, scope: event.data.scope, reason: event.data.reason },
      });
    case 'erasure.completed': {
      const erasedAll = event.data.scope === 'all';
      const scope = new Set(event.data.categories);
      return changed(s, {
        erased: erasedAll,
        refs: erasedAll ? [] : s.refs,
        fields: erasedAll ? [] : s.fields.filter((key) => !scope.has(categoryOf(key))),
        pendingErasure: undefined,
      });
    }
    default:
      return assertNever(event);
  }
}
