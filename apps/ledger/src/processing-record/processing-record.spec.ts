import { defaultPolicy } from '../../../../libs/domain/src/testing/envelopes';
import type { ObservedActivity } from '#ledger/projections';
import { htmlProblems } from '../../../../test/support/html-well-formed';
import { buildProcessingRecord, driftOf, type ProcessingActivity } from './processing-record';
import { renderProcessingRecordHtml } from './processing-record.html';

// The Art. 30 record of the shipped policy: six complete activities, in bokmål and English.
const policy = defaultPolicy();
const sha = 'ab'.repeat(32);
const nothing: ObservedActivity = { purposes: new Map(), parties: [] };
const at = '2027-03-01T10:00:00.000Z';
const PURPOSES = [
  'client-assignments',
  'candidate-relationship',
  'credit-check-invoicing',
  'customer-service',
  'marketing',
  'security',
];

/** Every Art. 30(1) item of an activity, as the texts a reader sees; each must say something. */
const items = (a: ProcessingActivity): Record<string, string[]> => ({
  description: [a.description],
  lawfulBasis: [a.lawfulBasisText],
  dataSubjects: [...a.dataSubjects],
  categories: a.categories.map((c) => c.description),
  recipients: [...a.recipients],
  processors: a.processors.flatMap((p) => [p.name, p.role, p.location, p.agreement]),
  transfers: [a.transfers.summary],
  retention: [a.retention.rule],
  securityMeasures: [...a.securityMeasures],
});

describe('the record of processing activities', () => {
  it.each(['nb', 'en'] as const)('has six complete activities for the default policy (%s)', (lang) => {
    const record = buildProcessingRecord(policy, sha, nothing, lang, at);
    expect(record.activities.map((a) => a.purpose)).toEqual(PURPOSES);
    for (const activity of record.activities) {
      for (const [item, texts] of Object.entries(items(activity))) {
        expect([activity.purpose, item, texts.length > 0 && texts.every((t) => t.trim() !== '')]).toEqual([
          activity.purpose,
          item,
          true,
        ]);
      }
      expect(activity.observed).toEqual({ subjects: 0, events: 0, lastAt: null });
    }
    expect(record.controller).toMatchObject({ name: 'BackerSkeie AS', organisationNumber: '000000000' });
    expect(record.controller.dpo.contact).not.toBe('');
    expect(record).toMatchObject({ policyVersion: '2018-05', policySha256: sha, lang, generatedAt: at });
  });

  it('speaks bokmål by the policy translations, and English by the policy texts', () => {
    const nb = buildProcessingRecord(policy, sha, nothing, 'nb', at);
    const en = buildProcessingRecord(policy, sha, nothing, 'en', at);
    const [nbCredit, enCredit] = [nb, en].map((r) => r.activities.find((a) => a.purpose === 'credit-check-invoicing')!);
    expect(nbCredit!.description).toBe('Kredittkontroll og fakturering');
    expect(enCredit!.description).toBe('Credit checks and invoicing');
    expect(nbCredit!.lawfulBasisText).toBe('Avtale (art. 6 nr. 1 bokstav b)');
    expect(enCredit!.dataSubjects).toEqual(['client contacts']);
    expect(nbCredit!.dataSubjects).toEqual(['kontaktpersoner hos klienter']);
    expect(nbCredit!.transfers).toEqual({ thirdCountries: [], summary: 'Ingen overføring til land utenfor EØS' });
    expect(nbCredit!.retention.rule).toMatch(/^Slettes når formålet .* 60 måneder, slettes\.$/);
  });

  it('names each processor that handles a category of the activity, with its agreement', () => {
    const record = buildProcessingRecord(policy, sha, nothing, 'en', at);
    const assessment = record.activities.find((a) => a.purpose === 'candidate-relationship')!;
    expect(assessment.processors.map((p) => p.name)).toEqual([
      'Protekt IT',
      'Microsoft',
      'Visma Easycruit',
      'Webcruiter',
      'Assessio',
      'Invenias',
    ]);
    expect(assessment.processors[0]).toEqual({
      name: 'Protekt IT',
      role: 'IT systems and operations',
      location: 'Norway',
      agreement: 'PLACEHOLDER-DPA-PROTEKT-IT',
    });
  });

  it('puts the observed figures on their purpose, and undeclared systems under drift', () => {
    const observed: ObservedActivity = {
      purposes: new Map([['marketing', { subjects: 2, events: 5, lastAt: at }]]),
      parties: [
        { kind: 'source', name: 'webcruiter', events: 3, lastAt: at },
        { kind: 'source', name: 'spreadsheet', events: 1, lastAt: at },
        { kind: 'recipient', name: 'Visma Easycruit', events: 1, lastAt: at },
        { kind: 'recipient', name: 'Data Broker Ltd', events: 2, lastAt: at },
      ],
    };
    const record = buildProcessingRecord(policy, sha, observed, 'nb', at);
    expect(record.activities.find((a) => a.purpose === 'marketing')!.observed).toEqual({
      subjects: 2,
      events: 5,
      lastAt: at,
    });
    expect(record.drift).toEqual({
      sources: [{ name: 'spreadsheet', events: 1, lastAt: at }],
      recipients: [{ name: 'Data Broker Ltd', events: 2, lastAt: at }],
    });
    const declaring = { ...policy, systems: { sources: ['Spreadsheet'], recipients: [] } };
    expect(driftOf(declaring, observed.parties).sources).toEqual([]);
  });

  it.each(['nb', 'en'] as const)('renders a well-formed, printable HTML document (%s)', (lang) => {
    const observed: ObservedActivity = {
      purposes: new Map(),
      parties: [{ kind: 'recipient', name: '<script>alert("x")</script> & Co', events: 1, lastAt: at }],
    };
    const html = renderProcessingRecordHtml(buildProcessingRecord(policy, sha, observed, lang, at));
    expect(htmlProblems(html)).toEqual([]);
    expect(html.startsWith('<!doctype html>\n')).toBe(true);
    expect(html).toContain(`<html lang="${lang}">`);
    expect(html).toContain('BackerSkeie AS');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    for (const purpose of PURPOSES) expect(html).toContain(`id="purpose-${purpose}"`);
    expect(html).toContain(lang === 'nb' ? 'Protokoll over behandlingsaktiviteter' : 'Record of processing activities');
  });

  it('finds an unclosed element or an unescaped value with the strict reading', () => {
    expect(htmlProblems('<!doctype html>\n<html><body><p>a < b</p></body></html>')).toEqual([
      'stray < or > before offset 21',
    ]);
    expect(htmlProblems('<!doctype html>\n<html><body><p>Smith & Co</body></html>')).toEqual([
      'bare & before offset 26',
      '</body> does not close <p> at offset 26',
      '</html> does not close <body> at offset 33',
      'unclosed: html',
    ]);
  });
});
