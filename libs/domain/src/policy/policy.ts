/** Lawful bases of GDPR Art. 6(1), as the policy file writes them. */
export const LAWFUL_BASES = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interests',
  'public-task',
  'legitimate-interest',
] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];

export interface PurposeDefinition {
  readonly description: string;
  readonly lawfulBasis: LawfulBasis;
  /**
   * The policy version in which this purpose last changed. Consent given under an older version
   * does not cover it: "if a purpose changes, new consent must be obtained" (policy §8).
   */
  readonly changedInVersion: string;
  /** For the Art. 30 record: whose data (entries of the policy's `dataSubjects`), which categories, and to whom. */
  readonly dataSubjects: readonly string[];
  readonly categories: readonly string[];
  /** Recipients besides the processors; may be empty. */
  readonly recipients: readonly string[];
}

export interface ProcessorDefinition {
  readonly name: string;
  readonly role: string;
  readonly categories: readonly string[];
  readonly location: string;
  /** The reference of the data processing agreement with this processor (Art. 28(3)). */
  readonly agreement: string;
}

/**
 * A published version of the privacy policy. Consent proves nothing without the text the person
 * agreed to, so each version names its text (a file beside the policy file) and that text's hash.
 */
export interface PolicyVersion {
  readonly version: string;
  /** When it came into force: YYYY-MM-DD, or YYYY-MM where the text itself names only the month. */
  readonly publishedAt: string;
  /** SHA-256 of the text file's bytes, lower-case hex. */
  readonly textSha256: string;
  /** The text's file, relative to the policy file's folder. */
  readonly textFile: string;
}

/** The controller's processing policy: what the ledger enforces, and the Art. 30 record's source. */
export interface Policy {
  /** The version in force now; one of `versions`. */
  readonly version: string;
  /** Every version ever published, oldest first. */
  readonly versions: readonly PolicyVersion[];
  readonly controller: {
    readonly name: string;
    readonly organisationNumber: string;
    readonly address: string;
    readonly country: string;
    readonly contact: string;
    readonly supervisoryAuthority?: string;
  };
  /** The data protection officer, or the controller's privacy contact (Art. 30(1)(a)). */
  readonly dpo: { readonly name: string; readonly contact: string };
  readonly dataSubjects: readonly string[];
  readonly purposes: Readonly<Record<string, PurposeDefinition>>;
  readonly categories: Readonly<Record<string, { readonly description: string }>>;
  readonly processors: readonly ProcessorDefinition[];
  readonly transfersOutsideEea: readonly string[];
  readonly retention: { readonly inactivityMonths: number; readonly note?: string };
  readonly requestDeadline: { readonly answerWithinMonths: number; readonly maxExtensionMonths: number };
  readonly securityMeasures: readonly string[];
  /** Systems besides the processors that may send data or receive disclosures, as envelopes name them. */
  readonly systems: { readonly sources: readonly string[]; readonly recipients: readonly string[] };
  /** Bokmål of each English text the Art. 30 record shows, keyed by that text. */
  readonly translations: { readonly nb: Readonly<Record<string, string>> };
}

/** The listed version of that name, if the policy has published one. */
export const findPolicyVersion = (policy: Policy, version: string): PolicyVersion | undefined =>
  policy.versions.find((v) => v.version === version);

/** Whether consent given under `version` can be tied to a text the ledger keeps. */
export const policyVersionKnown = (policy: Policy, version: string): boolean =>
  findPolicyVersion(policy, version) !== undefined;

/** The category of a field key: `contact.email` → `contact`. */
export const categoryOf = (fieldKey: string): string => fieldKey.slice(0, fieldKey.indexOf('.'));

const SHA256_HEX = /^[0-9a-f]{64}$/;
const PUBLISHED_AT = /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/;

/** Problems of the `versions` list, and of the versions other fields refer to. */
function versionProblems(p: Partial<Policy>): string[] {
  const problems: string[] = [];
  const versions: unknown = p.versions;
  if (!Array.isArray(versions) || versions.length === 0) return ['versions: at least one'];
  const seen = new Set<string>();
  (versions as Partial<PolicyVersion>[]).forEach((v, i) => {
    const at = `versions[${i}]`;
    if (typeof v.version !== 'string' || !v.version) problems.push(`${at}.version: required text`);
    else if (seen.has(v.version)) problems.push(`${at}.version: ${v.version} is listed twice`);
    else seen.add(v.version);
    if (typeof v.publishedAt !== 'string' || !PUBLISHED_AT.test(v.publishedAt)) {
      problems.push(`${at}.publishedAt: YYYY-MM-DD or YYYY-MM`);
    }
    if (typeof v.textSha256 !== 'string' || !SHA256_HEX.test(v.textSha256)) {
      problems.push(`${at}.textSha256: 64 lower-case hex digits`);
    }
    if (typeof v.textFile !== 'string' || !v.textFile) problems.push(`${at}.textFile: required`);
  });
  const published = (versions as Partial<PolicyVersion>[]).map((v) => String(v.publishedAt));
  if (published.some((at, i) => i > 0 && at < published[i - 1])) problems.push('versions: oldest first');
  if (typeof p.version === 'string' && p.version && !seen.has(p.version)) {
    problems.push(`version: ${p.version} is not in versions`);
  }
  for (const [id, purpose] of Object.entries(p.purposes ?? {})) {
    if (typeof purpose.changedInVersion === 'string' && !seen.has(purpose.changedInVersion)) {
      problems.push(`purposes.${id}.changedInVersion: ${purpose.changedInVersion} is not in versions`);
    }
  }
  return problems;
}

const ORGANISATION_NUMBER = /^\d{9}$/;
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isTextList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isText);

/** Every text of the policy the Art. 30 record shows, in English: each needs its bokmål. */
export function recordTexts(p: Partial<Policy>): string[] {
  const purposes = Object.values(p.purposes ?? {});
  const texts = [
    ...purposes.flatMap((purpose) => [purpose.description, ...(purpose.recipients ?? [])]),
    ...Object.values(p.categories ?? {}).map((c) => c.description),
    ...(p.dataSubjects ?? []),
    ...(p.processors ?? []).map((processor) => processor.role),
    ...(p.securityMeasures ?? []),
    ...(p.transfersOutsideEea ?? []),
    ...(p.retention?.note === undefined ? [] : [p.retention.note]),
  ];
  return [...new Set(texts.filter(isText))];
}

/** Problems of what the Art. 30 record needs: who the controller and DPO are, and each purpose's scope. */
function recordProblems(p: Partial<Policy>): string[] {
  const problems: string[] = [];
  if (!isText(p.controller?.organisationNumber) || !ORGANISATION_NUMBER.test(p.controller.organisationNumber)) {
    problems.push('controller.organisationNumber: nine digits');
  }
  if (!isText(p.controller?.address)) problems.push('controller.address: required');
  if (!isText(p.dpo?.name) || !isText(p.dpo.contact)) problems.push('dpo: name and contact required');
  const subjects = new Set(isTextList(p.dataSubjects) ? p.dataSubjects : []);
  for (const [id, purpose] of Object.entries(p.purposes ?? {})) {
    const at = `purposes.${id}`;
    if (!isTextList(purpose.dataSubjects) || purpose.dataSubjects.length === 0) {
      problems.push(`${at}.dataSubjects: at least one`);
    } else if (purpose.dataSubjects.some((s) => !subjects.has(s)))
      problems.push(`${at}.dataSubjects: not in dataSubjects`);
    if (!isTextList(purpose.categories) || purpose.categories.length === 0) {
      problems.push(`${at}.categories: at least one`);
    } else if (purpose.categories.some((c) => !Object.hasOwn(p.categories ?? {}, c))) {
      problems.push(`${at}.categories: not in categories`);
    }
    if (!isTextList(purpose.recipients)) problems.push(`${at}.recipients: a list of texts`);
  }
  (p.processors ?? []).forEach((processor, i) => {
    if (!isText(processor.agreement)) problems.push(`processors[${i}].agreement: the agreement's reference`);
  });
  const systems: Partial<Policy['systems']> = p.systems ?? {};
  if (!isTextList(systems.sources ?? []) || !isTextList(systems.recipients ?? [])) {
    problems.push('systems: sources and recipients are lists of names');
  }
  const nb: unknown = p.translations?.nb;
  if (!nb || typeof nb !== 'object') return [...problems, 'translations.nb: required'];
  const missing = recordTexts(p).filter((text) => !isText((nb as Record<string, unknown>)[text]));
  if (missing.length > 0)
    problems.push(`translations.nb: no bokmål for ${missing.map((t) => JSON.stringify(t)).join(', ')}`);
  return problems;
}

/**
 * Checks a parsed policy file and returns it typed. Throws with every problem listed, so that a
 * controller editing the file sees all its mistakes at once instead of one per restart.
 */
export function parsePolicy(raw: unknown): Policy {
  const problems: string[] = [];
  const p = raw as Partial<Policy> | null;
  if (!p || typeof p !== 'object') throw new Error('policy: not a JSON object');
  if (typeof p.version !== 'string' || !p.version) problems.push('version: required text');
  problems.push(...versionProblems(p));
  problems.push(...recordProblems(p));
  if (!p.controller?.name) problems.push('controller.name: required');
  if (!p.purposes || Object.keys(p.purposes).length === 0) problems.push('purposes: at least one');
  for (const [id, purpose] of Object.entries(p.purposes ?? {})) {
    if (!LAWFUL_BASES.includes(purpose.lawfulBasis)) {
      problems.push(`purposes.${id}.lawfulBasis: one of ${LAWFUL_BASES.join(', ')}`);
    }
    if (typeof purpose.changedInVersion !== 'string') problems.push(`purposes.${id}.changedInVersion: required`);
  }
  if (!p.categories || Object.keys(p.categories).length === 0) problems.push('categories: at least one');
  for (const id of Object.keys(p.categories ?? {})) {
    if (!/^[a-z][a-z0-9-]*$/.test(id)) problems.push(`categories.${id}: lower-case id without dots`);
  }
  const months = p.retention?.inactivityMonths;
  if (!Number.isInteger(months) || (months as number) <= 0)
    problems.push('retention.inactivityMonths: a positive integer');
  if (problems.length > 0) throw new Error(`policy: ${problems.join('; ')}`);
  return {
    dataSubjects: [],
    processors: [],
    transfersOutsideEea: [],
    requestDeadline: { answerWithinMonths: 1, maxExtensionMonths: 2 },
    securityMeasures: [],
    ...p,
    systems: { sources: [], recipients: [], ...p.systems },
  } as Policy;
}
