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
}

export interface ProcessorDefinition {
  readonly name: string;
  readonly role: string;
  readonly categories: readonly string[];
  readonly location: string;
}

/** The controller's processing policy: what the ledger enforces, and the Art. 30 record's source. */
export interface Policy {
  readonly version: string;
  readonly controller: { readonly name: string; readonly country: string; readonly contact: string };
  readonly dataSubjects: readonly string[];
  readonly purposes: Readonly<Record<string, PurposeDefinition>>;
  readonly categories: Readonly<Record<string, { readonly description: string }>>;
  readonly processors: readonly ProcessorDefinition[];
  readonly transfersOutsideEea: readonly string[];
  readonly retention: { readonly inactivityMonths: number };
  readonly requestDeadline: { readonly answerWithinMonths: number; readonly maxExtensionMonths: number };
  readonly securityMeasures: readonly string[];
}

/** The category of a field key: `contact.email` → `contact`. */
export const categoryOf = (fieldKey: string): string => fieldKey.slice(0, fieldKey.indexOf('.'));

/**
 * Checks a parsed policy file and returns it typed. Throws with every problem listed, so that a
 * controller editing the file sees all its mistakes at once instead of one per restart.
 */
export function parsePolicy(raw: unknown): Policy {
  const problems: string[] = [];
  const p = raw as Partial<Policy> | null;
  if (!p || typeof p !== 'object') throw new Error('policy: not a JSON object');
  if (typeof p.version !== 'string' || !p.version) problems.push('version: required text');
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
  } as Policy;
}
