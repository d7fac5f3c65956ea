import { categoryOf, LAWFUL_BASES, type ErasureReason, type LawfulBasis, type Policy } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import type { AccessAnswer, AnswerLanguage, AnswerPurpose, HeldValue } from './access-answer';
import { ANSWER_TEXTS, DATATILSYNET, personDate, type AnswerTexts } from './access-answer.texts';
import { personHistory, type PersonHistory } from './person-history';

/** The category whose data comes from personality and ability tests: the profiling of Art. 15(1)(h). */
export const PROFILING_CATEGORY = 'assessment';

/** Names compare as systems: case and spacing aside, `Visma Easycruit` is `visma-easycruit`. */
const systemKey = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');

/** What every part of the answer reads: the policy in the person's language, and their history. */
interface Composition {
  readonly policy: Policy;
  readonly texts: AnswerTexts;
  readonly history: PersonHistory;
  readonly t: (text: string) => string;
  readonly purposeText: (purpose: string | null) => string;
  readonly basisText: (basis: string | null) => string;
  readonly label: (field: string) => string;
  readonly categoryText: (category: string) => string;
  readonly systemName: (source: string) => string;
}

function composition(policy: Policy, history: PersonHistory, lang: AnswerLanguage): Composition {
  const texts = ANSWER_TEXTS[lang];
  const t = (text: string): string => (lang === 'en' ? text : (policy.translations.nb[text] ?? text));
  const processors = new Map(policy.processors.map((p) => [systemKey(p.name), p.name]));
  return {
    policy,
    texts,
    history,
    t,
    purposeText: (purpose) => {
      const defined = purpose === null ? undefined : policy.purposes[purpose];
      return defined ? t(defined.description) : texts.correctionOnly;
    },
    basisText: (basis) =>
      LAWFUL_BASES.includes(basis as LawfulBasis) ? texts.lawfulBases[basis as LawfulBasis] : texts.unknownBasis,
    label: (field) => texts.fieldLabels[field] ?? field,
    categoryText: (category) => t(policy.categories[category]?.description ?? category),
    systemName: (source) => processors.get(systemKey(source)) ?? source,
  };
}

/** Art. 15(1)(a): every purpose the history names, in the policy's order, with where it stands now. */
function purposesOf(c: Composition): AnswerPurpose[] {
  const { state } = c.history;
  const status = (purpose: string): AnswerPurpose['status'] => {
    if (state.status === 'erased') return 'erased';
    const objections = state.objections.filter((o) => o.purposes.includes(purpose));
    if (objections.some((o) => o.status === 'upheld')) return 'ended';
    if (objections.some((o) => o.status === 'open')) return 'objection-open';
    return state.consents[purpose]?.status === 'withdrawn' ? 'consent-withdrawn' : 'in-use';
  };
  return Object.keys(c.policy.purposes)
    .filter((purpose) => c.history.purposes.has(purpose))
    .map((purpose) => {
      const lawfulBasis = c.policy.purposes[purpose]!.lawfulBasis;
      const s = status(purpose);
      return {
        purpose,
        description: c.purposeText(purpose),
        lawfulBasis,
        lawfulBasisText: c.basisText(lawfulBasis),
        status: s,
        statusText: c.texts.purposeStatus[s],
      };
    });
}

/** Art. 15(3): the values held now, each opened for this answer; a shredded one is not a value. */
function heldValues(c: Composition): HeldValue[] {
  return Object.entries(c.history.state.data)
    .filter(([, field]) => typeof field.value === 'string')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, field]) => {
      const more = c.history.fields.get(key);
      const collectedFrom = more?.collectedFrom ?? null;
      return {
        field: key,
        label: c.label(key),
        value: field.value,
        purpose: field.purpose,
        purposeText: c.purposeText(field.purpose),
        lawfulBasis: field.lawfulBasis,
        lawfulBasisText: c.basisText(field.lawfulBasis),
        source: c.systemName(field.source),
        collectedFrom,
        collectedFromText: collectedFrom === null ? c.texts.correctionOnly : c.texts.collectedFrom[collectedFrom],
        collectedAt: field.collectedAt,
        updatedAt: field.updatedAt,
        correctedAt: more?.correctedAt ?? [],
      };
    });
}

const heldCategories = (c: Composition): string[] => [...new Set(heldValues(c).map((v) => categoryOf(v.field)))];

/** Art. 15(1)(c): the disclosures recorded, and the processors of the categories held. */
function recipientsOf(c: Composition): AccessAnswer['recipients'] {
  const held = new Set(heldCategories(c));
  const disclosures = c.history.disclosures.map((d) => ({
    recipient: d.recipient,
    purpose: d.purpose,
    purposeText: c.purposeText(d.purpose),
    fields: d.fields.map(c.label),
    at: d.at,
  }));
  const processors = c.policy.processors
    .filter((p) => p.categories.some((category) => held.has(category)))
    .map((p) => ({ name: p.name, role: c.t(p.role), location: c.texts.locations[p.location] ?? p.location }));
  return { disclosures, processors, text: c.texts.recipients(disclosures.length) };
}

/** Art. 15(1)(d): the policy's rule, and the date it falls due on for this person as things stand. */
function retentionOf(c: Composition): AccessAnswer['retention'] {
  const { state } = c.history;
  const months = c.policy.retention.inactivityMonths;
  const note = c.policy.retention.note === undefined ? '' : `${c.t(c.policy.retention.note)} `;
  const rule = `${note}${c.texts.retentionRule(months)}`;
  const legalHolds = state.legalHolds.map((h) => ({ reason: h.reason ?? null, until: h.until ?? null }));
  return {
    rule,
    lastActivityAt: state.lastActivityAt,
    dueAt: state.retentionDueAt,
    legalHolds,
    text: c.texts.retention(
      rule,
      state.retentionDueAt === null ? null : personDate(c.texts, state.retentionDueAt),
      legalHolds.length,
    ),
  };
}

/** Art. 15(1)(g): where each part of the data came from, first collection first. */
function sourcesOf(c: Composition): AccessAnswer['sources'] {
  const grouped = new Map<string, AccessAnswer['sources'][number]>();
  for (const { source, collectedFrom, fields, at } of c.history.collections) {
    const name = c.systemName(source);
    const key = `${systemKey(name)}\u0000${collectedFrom}`;
    const before = grouped.get(key);
    const labels = [...new Set([...(before?.fields ?? []), ...fields.map(c.label)])];
    grouped.set(key, {
      source: name,
      collectedFrom,
      text: `${c.texts.collectedFrom[collectedFrom]} (${name})`,
      fields: labels,
      firstAt: before?.firstAt ?? at,
    });
  }
  return [...grouped.values()];
}

/** Art. 15(1)(h): the test results and the processor that runs the tests. */
function profilingOf(c: Composition): AccessAnswer['profiling'] {
  const everyCategory = Object.keys(c.policy.categories);
  // The processor that does the testing holds test results among few categories; IT and CRM hold all.
  const testers = c.policy.processors
    .filter((p) => p.categories.includes(PROFILING_CATEGORY))
    .filter((p) => !everyCategory.every((category) => p.categories.includes(category)))
    .map((p) => p.name);
  const held = heldCategories(c).includes(PROFILING_CATEGORY);
  const description = c.categoryText(PROFILING_CATEGORY);
  return {
    category: PROFILING_CATEGORY,
    description,
    held,
    processors: testers,
    automatedDecisions: false,
    text: c.texts.profiling(held, description, testers.join(', ')),
  };
}

/** When and why data was erased: the proof the answer gives in place of the values. */
function erasuresOf(c: Composition): AccessAnswer['erasures'] {
  const reasons = c.texts.erasureReasons(c.policy.retention.inactivityMonths);
  return c.history.erasures.map((e) => {
    const reason = e.reason as ErasureReason;
    const reasonText = reasons[reason] ?? e.reason;
    const categories = e.categories.map(c.categoryText);
    const at = personDate(c.texts, e.at);
    return {
      at: e.at,
      reason,
      reasonText,
      everything: e.everything,
      categories,
      text: e.everything
        ? c.texts.erasedSummary(at, reasonText)
        : c.texts.partlyErasedNote(at, reasonText, categories.join(', ')),
    };
  });
}

/** The person's consents, objections and restriction as they stand: what they decided, and when. */
function decisionsOf(c: Composition): Pick<AccessAnswer, 'consents' | 'objections' | 'restriction'> {
  const { state } = c.history;
  return {
    consents: Object.entries(state.consents).map(([purpose, consent]) => ({
      purpose,
      purposeText: c.purposeText(purpose),
      status: consent.status,
      at: consent.at,
      channel: consent.channel,
      policyVersion: consent.policyVersion,
    })),
    objections: state.objections.map((o) => ({
      purposes: o.purposes,
      purposesText: o.purposes.map(c.purposeText),
      status: o.status,
      statusText: c.texts.objectionStatus[o.status],
      raisedAt: o.raisedAt,
    })),
    restriction: state.restriction === null ? null : { since: state.restriction.since },
  };
}

export interface AccessAnswerOptions {
  readonly lang: AnswerLanguage;
  /** The instant the answer is made: the clock is the caller's. */
  readonly now: string;
  /** The access request it answers, if one is named. */
  readonly requestId?: string;
}

/**
 * The answer to a person's access request, from their events (oldest first, personal values
 * opened) and the policy in force: pure, no clock, no I/O.
 */
export function composeAccessAnswer(
  events: readonly StoredEvent[],
  policy: Policy,
  options: AccessAnswerOptions,
): AccessAnswer {
  const history = personHistory(events, policy.retention.inactivityMonths);
  const c = composition(policy, history, options.lang);
  const { texts } = c;
  const request = history.state.requests.find((r) => r.requestId === options.requestId);
  const erasures = erasuresOf(c);
  const erased = erasures.filter((e) => e.everything).at(-1);
  const authority = policy.controller.supervisoryAuthority ?? DATATILSYNET.authority;
  const known = authority === DATATILSYNET.authority ? DATATILSYNET : { address: '', web: '' };
  const transfers = policy.transfersOutsideEea.map(c.t);
  return {
    lang: options.lang,
    generatedAt: options.now,
    title: texts.title,
    summary: history.state.status === 'erased' && erased ? erased.text : texts.intro(policy.controller.name),
    controller: {
      name: policy.controller.name,
      organisationNumber: policy.controller.organisationNumber,
      address: policy.controller.address,
      contact: policy.controller.contact,
      dpo: { name: policy.dpo.name, contact: policy.dpo.contact },
    },
    request: request ? { receivedAt: request.receivedAt, dueDate: request.dueDate } : null,
    status: history.state.status,
    erasures,
    purposes: purposesOf(c),
    categories: heldCategories(c).map((category) => ({ category, description: c.categoryText(category) })),
    recipients: recipientsOf(c),
    retention: retentionOf(c),
    rights: texts.rights(),
    complaint: { authority, ...known, text: texts.complaint(authority, known.address, known.web) },
    sources: sourcesOf(c),
    profiling: profilingOf(c),
    transfers: { outsideEea: transfers, text: texts.transfers(transfers) },
    data: heldValues(c),
    ...decisionsOf(c),
  };
}
