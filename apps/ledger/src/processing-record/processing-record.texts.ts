import type { LawfulBasis } from '#ledger/domain';

export const RECORD_LANGUAGES = ['nb', 'en'] as const;
export type RecordLanguage = (typeof RECORD_LANGUAGES)[number];

/** The record's own words, in each language it is given in; the policy's texts come from the policy. */
export interface RecordTexts {
  readonly title: string;
  readonly subtitle: string;
  readonly generatedAt: string;
  readonly policyVersion: string;
  readonly policySha256: string;
  readonly controller: string;
  readonly organisationNumber: string;
  readonly address: string;
  readonly country: string;
  readonly contact: string;
  readonly dpo: string;
  readonly supervisoryAuthority: string;
  readonly activities: string;
  readonly purpose: string;
  readonly lawfulBasis: string;
  readonly dataSubjects: string;
  readonly categories: string;
  readonly recipients: string;
  readonly processors: string;
  readonly agreement: string;
  readonly transfers: string;
  readonly retention: string;
  readonly securityMeasures: string;
  readonly observed: string;
  readonly observedFigures: (subjects: number, events: number, lastAt: string | null) => string;
  readonly drift: string;
  readonly driftNote: string;
  readonly driftSources: string;
  readonly driftRecipients: string;
  readonly seen: (events: number, lastAt: string) => string;
  readonly none: string;
  readonly processorsAsRecipients: string;
  readonly noTransfers: string;
  readonly retentionRule: (months: number) => string;
  readonly lawfulBases: Readonly<Record<LawfulBasis, string>>;
  readonly locations: Readonly<Record<string, string>>;
}

const NB: RecordTexts = {
  title: 'Protokoll over behandlingsaktiviteter',
  subtitle: 'Personvernforordningen artikkel 30 nr. 1',
  generatedAt: 'Laget',
  policyVersion: 'Personvernerklæringens versjon',
  policySha256: 'SHA-256 av policyfilen',
  controller: 'Behandlingsansvarlig',
  organisationNumber: 'Organisasjonsnummer',
  address: 'Adresse',
  country: 'Land',
  contact: 'Kontakt',
  dpo: 'Personvernombud',
  supervisoryAuthority: 'Tilsynsmyndighet',
  activities: 'Behandlingsaktiviteter',
  purpose: 'Formål',
  lawfulBasis: 'Behandlingsgrunnlag',
  dataSubjects: 'Kategorier av registrerte',
  categories: 'Kategorier av personopplysninger',
  recipients: 'Kategorier av mottakere',
  processors: 'Databehandlere',
  agreement: 'databehandleravtale',
  transfers: 'Overføring til tredjeland eller internasjonale organisasjoner',
  retention: 'Frister for sletting',
  securityMeasures: 'Tekniske og organisatoriske sikkerhetstiltak',
  observed: 'Observert i hendelsene',
  observedFigures: (subjects, events, lastAt) =>
    `${subjects} personer, ${events} hendelser${lastAt ? `, siste ${lastAt}` : ''}`,
  drift: 'Avvik fra policyen',
  driftNote: 'Kilder og mottakere som forekommer i hendelsene, men som policyen ikke oppgir.',
  driftSources: 'Kilder',
  driftRecipients: 'Mottakere',
  seen: (events, lastAt) => `${events} hendelser, siste ${lastAt}`,
  none: 'Ingen',
  processorsAsRecipients: 'databehandlerne nedenfor',
  noTransfers: 'Ingen overføring til land utenfor EØS',
  retentionRule: (months) => `Opplysninger som ikke er brukt på ${months} måneder, slettes.`,
  lawfulBases: {
    consent: 'Samtykke (art. 6 nr. 1 bokstav a)',
    contract: 'Avtale (art. 6 nr. 1 bokstav b)',
    'legal-obligation': 'Rettslig forpliktelse (art. 6 nr. 1 bokstav c)',
    'vital-interests': 'Vitale interesser (art. 6 nr. 1 bokstav d)',
    'public-task': 'Allmennhetens interesse eller offentlig myndighet (art. 6 nr. 1 bokstav e)',
    'legitimate-interest': 'Berettiget interesse (art. 6 nr. 1 bokstav f)',
  },
  locations: { NO: 'Norge', EEA: 'EØS' },
};

const EN: RecordTexts = {
  title: 'Record of processing activities',
  subtitle: 'General Data Protection Regulation, Article 30(1)',
  generatedAt: 'Generated',
  policyVersion: 'Privacy policy version',
  policySha256: 'SHA-256 of the policy file',
  controller: 'Controller',
  organisationNumber: 'Organisation number',
  address: 'Address',
  country: 'Country',
  contact: 'Contact',
  dpo: 'Data protection officer',
  supervisoryAuthority: 'Supervisory authority',
  activities: 'Processing activities',
  purpose: 'Purpose',
  lawfulBasis: 'Lawful basis',
  dataSubjects: 'Categories of data subjects',
  categories: 'Categories of personal data',
  recipients: 'Categories of recipients',
  processors: 'Processors',
  agreement: 'data processing agreement',
  transfers: 'Transfers to third countries or international organisations',
  retention: 'Time limits for erasure',
  securityMeasures: 'Technical and organisational security measures',
  observed: 'Observed in the events',
  observedFigures: (subjects, events, lastAt) =>
    `${subjects} persons, ${events} events${lastAt ? `, latest ${lastAt}` : ''}`,
  drift: 'Drift from the policy',
  driftNote: 'Sources and recipients seen in the events that the policy does not declare.',
  driftSources: 'Sources',
  driftRecipients: 'Recipients',
  seen: (events, lastAt) => `${events} events, latest ${lastAt}`,
  none: 'None',
  processorsAsRecipients: 'the processors listed below',
  noTransfers: 'No transfers to countries outside the EEA',
  retentionRule: (months) => `Data not used for ${months} months is erased.`,
  lawfulBases: {
    consent: 'Consent (Art. 6(1)(a))',
    contract: 'Contract (Art. 6(1)(b))',
    'legal-obligation': 'Legal obligation (Art. 6(1)(c))',
    'vital-interests': 'Vital interests (Art. 6(1)(d))',
    'public-task': 'Public interest or official authority (Art. 6(1)(e))',
    'legitimate-interest': 'Legitimate interests (Art. 6(1)(f))',
  },
  locations: { NO: 'Norway', EEA: 'EEA' },
};

export const RECORD_TEXTS: Readonly<Record<RecordLanguage, RecordTexts>> = { nb: NB, en: EN };

export const isRecordLanguage = (value: unknown): value is RecordLanguage =>
  (RECORD_LANGUAGES as readonly unknown[]).includes(value);
