import type { CollectedFrom, ErasureReason, LawfulBasis } from '#ledger/domain';
import type { ART15_ITEMS, AccessAnswer, AnswerLanguage, AnswerPurpose, AnswerRight } from './access-answer';
import { EN } from './access-answer.texts.en';
import { NB } from './access-answer.texts.nb';

/**
 * The supervisory authority a person may complain to (Art. 15(1)(f), 77): the Norwegian one,
 * named by the default policy. A controller elsewhere names its own in the policy.
 */
export const DATATILSYNET = {
  authority: 'Datatilsynet',
  address: 'Postboks 458 Sentrum, 0105 Oslo',
  web: 'https://www.datatilsynet.no',
} as const;

/** The answer's own words in one language; the policy's texts come from the policy. */
export interface AnswerTexts {
  readonly locale: string;
  readonly title: string;
  readonly intro: (controller: string) => string;
  readonly erasedSummary: (at: string, reason: string) => string;
  readonly partlyErasedNote: (at: string, reason: string, categories: string) => string;
  readonly items: Readonly<Record<ItemKey, string>>;
  /** The heading of each point of Art. 15, by the answer's key that meets it. */
  readonly sections: Readonly<Record<Art15Key, string>>;
  readonly lawfulBases: Readonly<Record<LawfulBasis, string>>;
  readonly unknownBasis: string;
  readonly purposeStatus: Readonly<Record<AnswerPurpose['status'], string>>;
  readonly objectionStatus: Readonly<Record<'open' | 'upheld' | 'rejected', string>>;
  readonly erasureReasons: (months: number) => Readonly<Record<ErasureReason, string>>;
  readonly collectedFrom: Readonly<Record<CollectedFrom, string>>;
  readonly correctionOnly: string;
  readonly recipients: (disclosures: number) => string;
  readonly retention: (rule: string, dueAt: string | null, holds: number) => string;
  readonly retentionRule: (months: number) => string;
  readonly rights: () => readonly AnswerRight[];
  readonly rightsHowTo: (contact: string) => string;
  /** `15(1)(a)` as the law is cited in the language. */
  readonly articleRef: (item: string) => string;
  readonly complaint: (authority: string, address: string, web: string) => string;
  readonly profiling: (held: boolean, description: string, processors: string) => string;
  readonly transfers: (countries: readonly string[]) => string;
  readonly fieldLabels: Readonly<Record<string, string>>;
  readonly locations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<LabelKey, string>>;
}

export type Art15Key = (typeof ART15_ITEMS)[number][1];

type ItemKey = 'request' | 'status' | 'consents' | 'objections' | 'restriction' | 'erasures';
type LabelKey =
  | 'value'
  | 'field'
  | 'purpose'
  | 'lawfulBasis'
  | 'source'
  | 'collected'
  | 'updated'
  | 'corrected'
  | 'recipient'
  | 'fields'
  | 'date'
  | 'none'
  | 'controller'
  | 'organisationNumber'
  | 'contact'
  | 'dpo'
  | 'received'
  | 'due'
  | 'generated'
  | 'page'
  | 'channel'
  | 'given'
  | 'withdrawn';

/** A date as the person reads it, in Oslo time: "1. desember 2026" or "1 December 2026". */
export const personDate = (texts: AnswerTexts, iso: string | null): string =>
  iso === null
    ? '–'
    : new Intl.DateTimeFormat(texts.locale, { dateStyle: 'long', timeZone: 'Europe/Oslo' }).format(new Date(iso));

/** The answer's words in each language it is given in. */
export const ANSWER_TEXTS: Readonly<Record<AnswerLanguage, AnswerTexts>> = { nb: NB, en: EN };

/** Who answers, for the top of the answer. */
export const controllerLine = (a: AccessAnswer, w: AnswerTexts): string =>
  `${a.controller.name}, ${w.labels.organisationNumber} ${a.controller.organisationNumber}. ` +
  `${w.labels.contact}: ${a.controller.contact}`;

/** When the answer was made and, for a request, when it came and when it is due (a calendar date in Oslo). */
export const datesLine = (a: AccessAnswer, w: AnswerTexts): string => {
  const made = `${w.labels.generated} ${personDate(w, a.generatedAt)}.`;
  if (!a.request) return made;
  const due = personDate(w, `${a.request.dueDate}T12:00:00Z`);
  return `${made} ${w.labels.received} ${personDate(w, a.request.receivedAt)}. ${w.labels.due} ${due}.`;
};
