import type { AnswerRight } from './access-answer';
import type { AnswerTexts } from './access-answer.texts';

/** The answer in plain bokmål, for the person (the default). */
export const NB: AnswerTexts = {
  locale: 'nb-NO',
  title: 'Innsyn i personopplysninger',
  intro: (controller) =>
    `Du har bedt om innsyn i opplysningene ${controller} har om deg. Her er en kopi av opplysningene, ` +
    'hva vi bruker dem til, hvor de kommer fra, hvem som har fått dem, hvor lenge vi tar vare på dem, ' +
    'og hvilke rettigheter du har (personvernforordningen artikkel 15).',
  erasedSummary: (at, reason) =>
    `Opplysningene dine ble slettet ${at}, ${reason}. Vi har ingen av verdiene lenger. ` +
    'Vi har bare beholdt et bevis på hva vi behandlet, når, og når og hvorfor det ble slettet.',
  partlyErasedNote: (at, reason, categories) => `${categories} ble slettet ${at}, ${reason}.`,
  items: {
    request: 'Forespørselen din',
    status: 'Status',
    consents: 'Samtykker du har gitt',
    objections: 'Innsigelser',
    restriction: 'Begrenset behandling',
    erasures: 'Sletting',
  },
  sections: {
    purposes: 'Hva vi bruker opplysningene til',
    categories: 'Hvilke slags opplysninger vi har',
    recipients: 'Hvem som har fått opplysningene',
    retention: 'Hvor lenge vi tar vare på opplysningene',
    rights: 'Dine rettigheter',
    complaint: 'Rett til å klage',
    sources: 'Hvor opplysningene kommer fra',
    profiling: 'Tester og profilering',
    transfers: 'Overføring ut av EØS',
    data: 'Kopi av opplysningene',
  },
  lawfulBases: {
    consent: 'Samtykke fra deg (artikkel 6 nr. 1 bokstav a)',
    contract: 'Avtale (artikkel 6 nr. 1 bokstav b)',
    'legal-obligation': 'Rettslig forpliktelse (artikkel 6 nr. 1 bokstav c)',
    'vital-interests': 'Vitale interesser (artikkel 6 nr. 1 bokstav d)',
    'public-task': 'Oppgave i allmennhetens interesse (artikkel 6 nr. 1 bokstav e)',
    'legitimate-interest': 'Vår berettigede interesse (artikkel 6 nr. 1 bokstav f)',
  },
  unknownBasis: 'Ikke oppgitt',
  purposeStatus: {
    'in-use': 'I bruk',
    'consent-withdrawn': 'Du har trukket tilbake samtykket; opplysningene brukes ikke lenger til dette',
    'objection-open': 'Du har protestert; opplysningene brukes ikke til dette mens vi behandler innsigelsen',
    ended: 'Avsluttet etter innsigelsen din',
    erased: 'Avsluttet; opplysningene er slettet',
  },
  objectionStatus: { open: 'Til behandling', upheld: 'Tatt til følge', rejected: 'Ikke tatt til følge' },
  erasureReasons: (months) => ({
    'subject-request': 'fordi du ba om det',
    'purpose-ended': 'fordi formålet med å ha dem var over',
    'objection-upheld': 'fordi innsigelsen din ble tatt til følge',
    'retention-expired': `fordi de ikke hadde vært brukt på ${months} måneder`,
  }),
  collectedFrom: {
    subject: 'Fra deg',
    'third-party': 'Fra en annen virksomhet',
    processor: 'Gjennom en av våre databehandlere',
  },
  correctionOnly: 'Rettet opp uten å ha vært samlet inn for et formål',
  recipients: (n) =>
    n === 0
      ? 'Vi har ikke utlevert opplysninger om deg til noen. Databehandlerne under behandler dem på våre vegne.'
      : 'Utleveringene under er registrert. Databehandlerne under behandler opplysningene på våre vegne.',
  retention: (rule, dueAt, holds) =>
    `${rule} ${dueAt === null ? '' : `Slik det står nå, skal opplysningene slettes innen ${dueAt}.`}` +
    (holds > 0 ? ' En annen lov eller et offentlig pålegg krever nå at vi tar vare på dem lenger.' : ''),
  retentionRule: (months) => `Opplysningene slettes når de ikke har vært brukt på ${months} måneder.`,
  rights: () =>
    [
      { right: 'access', title: 'Innsyn', text: 'Du kan når som helst be om et nytt svar som dette.' },
      {
        right: 'rectification',
        title: 'Retting',
        text: 'Du kan kreve at mangelfulle eller uriktige opplysninger blir rettet (artikkel 16).',
      },
      {
        right: 'erasure',
        title: 'Sletting',
        text: 'Du kan kreve at opplysningene slettes når vi ikke lenger har grunnlag for å ha dem (artikkel 17).',
      },
      {
        right: 'restriction',
        title: 'Begrensning',
        text:
          'Du kan kreve at vi tar vare på opplysningene uten å bruke dem, for eksempel mens noe avklares ' +
          '(artikkel 18).',
      },
      {
        right: 'objection',
        title: 'Innsigelse',
        text:
          'Du kan protestere mot behandling som bygger på vår berettigede interesse. Skriv til oss og ' +
          'fortell hvorfor (artikkel 21).',
      },
      {
        right: 'portability',
        title: 'Dataportabilitet',
        text:
          'Du kan få opplysningene du selv har gitt oss etter samtykke eller avtale, i et maskinlesbart ' +
          'format (artikkel 20).',
      },
      {
        right: 'withdrawal',
        title: 'Trekke tilbake samtykke',
        text:
          'Du kan når som helst trekke tilbake et samtykke, like enkelt som du ga det. Det gjelder fra da av ' +
          '(artikkel 7 nr. 3).',
      },
    ].map((r) => r as AnswerRight),
  rightsHowTo: (contact) =>
    `Skriv eller ring til oss for å bruke rettighetene dine: ${contact}. Vi svarer innen en måned.`,
  articleRef: (item) => {
    const [, article, paragraph, point] = /^(\d+)\((\d+)\)(?:\(([a-z])\))?$/.exec(item) ?? [];
    return `personvernforordningen artikkel ${article} nr. ${paragraph}${point ? ` bokstav ${point}` : ''}`;
  },
  complaint: (authority, address, web) =>
    `Du kan klage til ${authority} hvis du mener vi behandler opplysningene dine i strid med reglene: ` +
    `${authority}, ${address}, ${web}.`,
  profiling: (held, description, processors) =>
    (held
      ? `Vi har opplysninger om deg i kategorien «${description}». Testene gjennomføres av ${processors}. `
      : `Vi har ingen opplysninger om deg i kategorien «${description}» (tester gjennomføres av ${processors}). `) +
    'Personvernerklæringen nevner ingen avgjørelser som tas bare ved automatisert behandling (artikkel 22).',
  transfers: (countries) =>
    countries.length === 0
      ? 'Opplysningene overføres ikke til land utenfor EØS.'
      : `Opplysningene kan overføres til land utenfor EØS: ${countries.join('; ')}.`,
  fieldLabels: {
    'contact.name': 'Navn',
    'contact.email': 'E-postadresse',
    'contact.phone': 'Telefonnummer',
    'contact.address': 'Postadresse',
    'work.position': 'Stilling',
    'work.employer': 'Arbeidsgiver',
    'work.workplace': 'Arbeidssted',
    'work.references': 'Anbefalinger',
    'education.degree': 'Utdanning',
    'preferences.roles': 'Ønskede stillinger',
    'assessment.result': 'Testresultat',
    'documents.cv': 'CV',
    'documents.application': 'Søknad',
  },
  locations: { NO: 'Norge', EEA: 'EØS' },
  labels: {
    value: 'Verdi',
    field: 'Opplysning',
    purpose: 'Formål',
    lawfulBasis: 'Rettslig grunnlag',
    source: 'Kilde',
    collected: 'Samlet inn',
    updated: 'Sist endret',
    corrected: 'Rettet',
    recipient: 'Mottaker',
    fields: 'Opplysninger',
    date: 'Dato',
    none: 'Ingen',
    controller: 'Behandlingsansvarlig',
    organisationNumber: 'Organisasjonsnummer',
    contact: 'Kontakt',
    dpo: 'Personvernkontakt',
    received: 'Mottatt',
    due: 'Frist for svar',
    generated: 'Laget',
    page: 'Side',
    given: 'Gitt',
    withdrawn: 'Trukket tilbake',
    channel: 'Kanal',
  },
};
