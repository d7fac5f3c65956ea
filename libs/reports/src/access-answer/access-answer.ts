import type { CollectedFrom, ErasureReason, LawfulBasis } from '#ledger/domain';

export const ANSWER_LANGUAGES = ['nb', 'en'] as const;
export type AnswerLanguage = (typeof ANSWER_LANGUAGES)[number];
export const isAnswerLanguage = (lang: string): lang is AnswerLanguage =>
  (ANSWER_LANGUAGES as readonly string[]).includes(lang);

/** A purpose as the person reads it: the policy's id for tools, its description for the person. */
export interface AnswerPurpose {
  readonly purpose: string;
  readonly description: string;
  readonly lawfulBasis: LawfulBasis | null;
  readonly lawfulBasisText: string;
  /** in-use; consent-withdrawn; objection-open (not used while it is decided); ended (objection upheld); erased. */
  readonly status: 'in-use' | 'consent-withdrawn' | 'objection-open' | 'ended' | 'erased';
  readonly statusText: string;
}

/** One value held now (Art. 15(3)), with where it came from and why it is kept. */
export interface HeldValue {
  readonly field: string;
  readonly label: string;
  readonly value: string;
  readonly purpose: string | null;
  readonly purposeText: string;
  readonly lawfulBasis: string | null;
  readonly lawfulBasisText: string;
  readonly source: string;
  readonly collectedFrom: CollectedFrom | null;
  readonly collectedFromText: string;
  readonly collectedAt: string;
  readonly updatedAt: string;
  /** When the person or the firm corrected it; the earlier value is superseded, not kept here. */
  readonly correctedAt: readonly string[];
}

export interface Disclosure {
  readonly recipient: string;
  readonly purpose: string;
  readonly purposeText: string;
  readonly fields: readonly string[];
  readonly at: string;
}

export interface AnswerProcessor {
  readonly name: string;
  readonly role: string;
  readonly location: string;
}

export interface SourceOfData {
  readonly source: string;
  readonly collectedFrom: CollectedFrom;
  readonly text: string;
  readonly fields: readonly string[];
  readonly firstAt: string;
}

export interface ErasureNote {
  readonly at: string;
  readonly reason: ErasureReason;
  readonly reasonText: string;
  readonly everything: boolean;
  readonly categories: readonly string[];
  readonly text: string;
}

export interface AnswerRight {
  readonly right: 'access' | 'rectification' | 'erasure' | 'restriction' | 'objection' | 'portability' | 'withdrawal';
  readonly title: string;
  readonly text: string;
}

/**
 * The answer to a person's access request (GDPR Art. 15), in their language: every point of
 * Art. 15(1)(a)–(h), 15(2) and the copy of 15(3), built from their events and the policy. It
 * names purposes, fields and bases by the policy's vocabulary for tools, and carries no id the
 * person cannot use (no subject, event, request or objection id, no upstream ref).
 */
export interface AccessAnswer {
  readonly lang: AnswerLanguage;
  readonly generatedAt: string;
  readonly title: string;
  readonly summary: string;
  readonly controller: {
    readonly name: string;
    readonly organisationNumber: string;
    readonly address: string;
    readonly contact: string;
    readonly dpo: { readonly name: string; readonly contact: string };
  };
  /** The access request this answers, when one was named. */
  readonly request: { readonly receivedAt: string; readonly dueDate: string } | null;
  readonly status: 'active' | 'restricted' | 'erased';
  readonly erasures: readonly ErasureNote[];
  readonly purposes: readonly AnswerPurpose[];
  readonly categories: readonly { readonly category: string; readonly description: string }[];
  readonly recipients: {
    readonly disclosures: readonly Disclosure[];
    readonly processors: readonly AnswerProcessor[];
    readonly text: string;
  };
  readonly retention: {
    readonly rule: string;
    readonly lastActivityAt: string | null;
    readonly dueAt: string | null;
    readonly legalHolds: readonly { readonly reason: string | null; readonly until: string | null }[];
    readonly text: string;
  };
  readonly rights: readonly AnswerRight[];
  readonly complaint: {
    readonly authority: string;
    readonly address: string;
    readonly web: string;
    readonly text: string;
  };
  readonly sources: readonly SourceOfData[];
  readonly profiling: {
    readonly category: string;
    readonly description: string;
    readonly held: boolean;
    readonly processors: readonly string[];
    readonly automatedDecisions: boolean;
    readonly text: string;
  };
  readonly transfers: { readonly outsideEea: readonly string[]; readonly text: string };
  readonly data: readonly HeldValue[];
  readonly consents: readonly {
    readonly purpose: string;
    readonly purposeText: string;
    readonly status: 'given' | 'withdrawn';
    readonly at: string;
    readonly channel: string;
    readonly policyVersion: string;
  }[];
  readonly objections: readonly {
    readonly purposes: readonly string[];
    readonly purposesText: readonly string[];
    readonly status: 'open' | 'upheld' | 'rejected';
    readonly statusText: string;
    readonly raisedAt: string;
  }[];
  readonly restriction: { readonly since: string } | null;
}

/** Which part of the answer meets which point of Art. 15, in the order the renderings show them. */
export const ART15_ITEMS = [
  ['15(1)(a)', 'purposes'],
  ['15(1)(b)', 'categories'],
  ['15(1)(c)', 'recipients'],
  ['15(1)(d)', 'retention'],
  ['15(1)(e)', 'rights'],
  ['15(1)(f)', 'complaint'],
  ['15(1)(g)', 'sources'],
  ['15(1)(h)', 'profiling'],
  ['15(2)', 'transfers'],
  ['15(3)', 'data'],
] as const satisfies ReadonlyArray<readonly [string, keyof AccessAnswer]>;
