import type { AnswerRight } from './access-answer';
import type { AnswerTexts } from './access-answer.texts';

/** The answer in plain English, on request. */
export const EN: AnswerTexts = {
  locale: 'en-GB',
  title: 'Access to your personal data',
  intro: (controller) =>
    `You asked which personal data ${controller} holds about you. This is a copy of that data, what we ` +
    'use it for, where it came from, who has received it, how long we keep it, and your rights ' +
    '(GDPR Article 15).',
  erasedSummary: (at, reason) =>
    `Your data was erased on ${at}, ${reason}. We no longer hold any of its values. We have kept only ` +
    'a proof of what we processed, when, and when and why it was erased.',
  partlyErasedNote: (at, reason, categories) => `${categories} was erased on ${at}, ${reason}.`,
  items: {
    request: 'Your request',
    status: 'Status',
    consents: 'Consents you gave',
    objections: 'Objections',
    restriction: 'Restricted processing',
    erasures: 'Erasure',
  },
  sections: {
    purposes: 'What we use the data for',
    categories: 'What kinds of data we hold',
    recipients: 'Who has received the data',
    retention: 'How long we keep the data',
    rights: 'Your rights',
    complaint: 'Your right to complain',
    sources: 'Where the data came from',
    profiling: 'Tests and profiling',
    transfers: 'Transfers outside the EEA',
    data: 'Copy of your data',
  },
  lawfulBases: {
    consent: 'Your consent (Article 6(1)(a))',
    contract: 'A contract (Article 6(1)(b))',
    'legal-obligation': 'A legal obligation (Article 6(1)(c))',
    'vital-interests': 'Vital interests (Article 6(1)(d))',
    'public-task': 'A task in the public interest (Article 6(1)(e))',
    'legitimate-interest': 'Our legitimate interest (Article 6(1)(f))',
  },
  unknownBasis: 'Not stated',
  purposeStatus: {
    'in-use': 'In use',
    'consent-withdrawn': 'You withdrew your consent; the data is no longer used for this',
    'objection-open': 'You objected; the data is not used for this while we consider your objection',
    ended: 'Ended after your objection',
    erased: 'Ended; the data is erased',
  },
  objectionStatus: { open: 'Being considered', upheld: 'Upheld', rejected: 'Not upheld' },
  erasureReasons: (months) => ({
    'subject-request': 'because you asked for it',
    'purpose-ended': 'because the purpose of keeping it had ended',
    'objection-upheld': 'because your objection was upheld',
    'retention-expired': `because it had not been used for ${months} months`,
  }),
  collectedFrom: {
    subject: 'From you',
    'third-party': 'From another company',
    processor: 'Through one of our processors',
  },
  correctionOnly: 'Corrected without having been collected for a purpose',
  recipients: (n) =>
    n === 0
      ? 'We have not disclosed data about you to anyone. The processors below process it on our behalf.'
      : 'The disclosures below are recorded. The processors below process the data on our behalf.',
  retention: (rule, dueAt, holds) =>
    `${rule} ${dueAt === null ? '' : `As things stand, the data is to be erased by ${dueAt}.`}` +
    (holds > 0 ? ' Another law or a public order currently requires us to keep it longer.' : ''),
  retentionRule: (months) => `The data is erased when it has not been used for ${months} months.`,
  rights: () =>
    [
      { right: 'access', title: 'Access', text: 'You may ask for a new answer like this one at any time.' },
      {
        right: 'rectification',
        title: 'Rectification',
        text: 'You may have incomplete or wrong data corrected (Article 16).',
      },
      {
        right: 'erasure',
        title: 'Erasure',
        text: 'You may have the data erased when we no longer have grounds to keep it (Article 17).',
      },
      {
        right: 'restriction',
        title: 'Restriction',
        text: 'You may have us keep the data without using it, for example while something is settled (Article 18).',
      },
      {
        right: 'objection',
        title: 'Objection',
        text: 'You may object to processing based on our legitimate interest. Write to us and say why (Article 21).',
      },
      {
        right: 'portability',
        title: 'Data portability',
        text:
          'You may receive the data you gave us yourself, under consent or a contract, in a machine-readable ' +
          'format (Article 20).',
      },
      {
        right: 'withdrawal',
        title: 'Withdrawing consent',
        text:
          'You may withdraw a consent at any time, as easily as you gave it. It applies from then on ' +
          '(Article 7(3)).',
      },
    ].map((r) => r as AnswerRight),
  rightsHowTo: (contact) => `To use your rights, write to or call us: ${contact}. We answer within one month.`,
  articleRef: (item) => `GDPR Article ${item}`,
  complaint: (authority, address, web) =>
    `You may complain to ${authority} if you believe we process your data against the rules: ` +
    `${authority}, ${address}, ${web}.`,
  profiling: (held, description, processors) =>
    (held
      ? `We hold data about you in the category "${description}". The tests are run by ${processors}. `
      : `We hold no data about you in the category "${description}" (tests are run by ${processors}). `) +
    'The privacy policy names no decision taken by automated processing alone (Article 22).',
  transfers: (countries) =>
    countries.length === 0
      ? 'The data is not transferred to countries outside the EEA.'
      : `The data may be transferred to countries outside the EEA: ${countries.join('; ')}.`,
  fieldLabels: {
    'contact.name': 'Name',
    'contact.email': 'E-mail address',
    'contact.phone': 'Phone number',
    'contact.address': 'Postal address',
    'work.position': 'Position',
    'work.employer': 'Employer',
    'work.workplace': 'Workplace',
    'work.references': 'References',
    'education.degree': 'Education',
    'preferences.roles': 'Roles wanted',
    'assessment.result': 'Test result',
    'documents.cv': 'CV',
    'documents.application': 'Application',
  },
  locations: { NO: 'Norway', EEA: 'EEA' },
  labels: {
    value: 'Value',
    field: 'Data',
    purpose: 'Purpose',
    lawfulBasis: 'Lawful basis',
    source: 'Source',
    collected: 'Collected',
    updated: 'Last changed',
    corrected: 'Corrected',
    recipient: 'Recipient',
    fields: 'Data',
    date: 'Date',
    none: 'None',
    controller: 'Controller',
    organisationNumber: 'Organisation number',
    contact: 'Contact',
    dpo: 'Privacy contact',
    received: 'Received',
    due: 'Answer due by',
    generated: 'Made',
    page: 'Page',
    given: 'Given',
    withdrawn: 'Withdrawn',
    channel: 'Channel',
  },
};
