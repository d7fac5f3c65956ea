import type { LawfulBasis, Policy } from '#ledger/domain';
import type { ObservedActivity, ObservedPurpose, SeenParty } from '#ledger/projections';
import { RECORD_TEXTS, type RecordLanguage } from './processing-record.texts';

export interface RecordProcessor {
  readonly name: string;
  readonly role: string;
  readonly location: string;
  readonly agreement: string;
}

/** One processing activity of Art. 30(1), one per purpose of the policy. */
export interface ProcessingActivity {
  readonly purpose: string;
  readonly description: string;
  readonly lawfulBasis: LawfulBasis;
  readonly lawfulBasisText: string;
  readonly dataSubjects: readonly string[];
  readonly categories: readonly { readonly id: string; readonly description: string }[];
  readonly recipients: readonly string[];
  readonly processors: readonly RecordProcessor[];
  readonly transfers: { readonly thirdCountries: readonly string[]; readonly summary: string };
  readonly retention: { readonly inactivityMonths: number; readonly rule: string };
  readonly securityMeasures: readonly string[];
  readonly observed: ObservedPurpose;
}

export interface DriftEntry {
  readonly name: string;
  readonly events: number;
  readonly lastAt: string;
}

/** The record of processing activities (CONTRACT §9), as of `generatedAt`. */
export interface ProcessingRecord {
  readonly lang: RecordLanguage;
  readonly generatedAt: string;
  /** The policy's controller, its supervisory authority always named, and the DPO. */
  readonly controller: Required<Policy['controller']> & { readonly dpo: Policy['dpo'] };
  readonly policyVersion: string;
  readonly policySha256: string;
  readonly activities: readonly ProcessingActivity[];
  readonly drift: { readonly sources: readonly DriftEntry[]; readonly recipients: readonly DriftEntry[] };
}

/** Names compare as systems: case and spacing aside, `Visma Easycruit` is `visma-easycruit`. */
const systemKey = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');

/**
 * The sources and recipients seen in the events that the policy does not declare: neither a
 * processor nor one of its listed systems. Judged at read time, so editing the policy moves them.
 */
export function driftOf(policy: Policy, parties: readonly SeenParty[]): ProcessingRecord['drift'] {
  const processors = policy.processors.map((p) => systemKey(p.name));
  const declared = {
    source: new Set([...processors, ...policy.systems.sources.map(systemKey)]),
    recipient: new Set([...processors, ...policy.systems.recipients.map(systemKey)]),
  };
  const undeclared = (kind: SeenParty['kind']) =>
    parties
      .filter((p) => p.kind === kind && !declared[kind].has(systemKey(p.name)))
      .map(({ name, events, lastAt }) => ({ name, events, lastAt }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { sources: undeclared('source'), recipients: undeclared('recipient') };
}

const NOTHING_OBSERVED: ObservedPurpose = { subjects: 0, events: 0, lastAt: null };

/**
 * Builds the record from the policy in force and the observed figures: one activity per purpose,
 * with Datatilsynet's items, in bokmål or English. The processors of an activity are those that
 * handle any of its categories; they are its recipients too (Art. 4(9)).
 */
export function buildProcessingRecord(
  policy: Policy,
  policySha256: string,
  observed: ObservedActivity,
  lang: RecordLanguage,
  generatedAt: string,
): ProcessingRecord {
  const words = RECORD_TEXTS[lang];
  const t = (text: string): string => (lang === 'en' ? text : (policy.translations.nb[text] ?? text));
  const place = (location: string): string => words.locations[location] ?? location;
  const note = policy.retention.note === undefined ? '' : `${t(policy.retention.note)} `;
  const activities = Object.entries(policy.purposes).map(([id, purpose]): ProcessingActivity => {
    const processors = policy.processors
      .filter((p) => p.categories.some((c) => purpose.categories.includes(c)))
      .map((p) => ({ name: p.name, role: t(p.role), location: place(p.location), agreement: p.agreement }));
    return {
      purpose: id,
      description: t(purpose.description),
      lawfulBasis: purpose.lawfulBasis,
      lawfulBasisText: words.lawfulBases[purpose.lawfulBasis],
      dataSubjects: purpose.dataSubjects.map(t),
      categories: purpose.categories.map((c) => ({ id: c, description: t(policy.categories[c]?.description ?? c) })),
      recipients: [...purpose.recipients.map(t), ...(processors.length > 0 ? [words.processorsAsRecipients] : [])],
      processors,
      transfers: {
        thirdCountries: policy.transfersOutsideEea.map(t),
        summary:
          policy.transfersOutsideEea.length === 0 ? words.noTransfers : policy.transfersOutsideEea.map(t).join('; '),
      },
      retention: {
        inactivityMonths: policy.retention.inactivityMonths,
        rule: `${note}${words.retentionRule(policy.retention.inactivityMonths)}`,
      },
      securityMeasures: policy.securityMeasures.map(t),
      observed: observed.purposes.get(id) ?? NOTHING_OBSERVED,
    };
  });
  const { controller, dpo } = policy;
  return {
    lang,
    generatedAt,
    controller: {
      name: controller.name,
      organisationNumber: controller.organisationNumber,
      address: controller.address,
      country: place(controller.country),
      contact: controller.contact,
      supervisoryAuthority: controller.supervisoryAuthority ?? 'Datatilsynet',
      dpo: { name: dpo.name, contact: dpo.contact },
    },
    policyVersion: policy.version,
    policySha256,
    activities,
    drift: driftOf(policy, observed.parties),
  };
}
