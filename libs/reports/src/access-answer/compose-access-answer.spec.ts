import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundEnvelope } from '#ledger/domain';
import { defaultPolicy, envelope } from '../../../domain/src/testing/envelopes';
import { personEvents } from '../testing/person-events';
import { ART15_ITEMS, type AccessAnswer } from './access-answer';
import { composeAccessAnswer } from './compose-access-answer';

const policy = defaultPolicy();
const NOW = '2026-12-06T12:00:00.000Z';
const REF = 'webcruiter:candidate:4711';
const at = (day: string) => ({ occurredAt: `2026-${day}T09:00:00Z` });
const from = (source: string, day: string) => ({ source, ...at(day) });

const ACCESS_REQUEST = envelope('access.requested', { channel: 'email' }, from('kundeservice', '12-01'));

/** A candidate with consents, an objection, a disclosure, a test result and a correction. */
const ENVELOPES: InboundEnvelope[] = [
  envelope(
    'data.collected',
    {
      purpose: 'client-assignments',
      fields: { 'contact.name': 'Øyvind Ås', 'contact.email': 'oyvind@example.no', 'documents.cv': 'cv-øyvind.pdf' },
      collectedFrom: 'processor',
    },
    from('webcruiter', '03-02'),
  ),
  envelope(
    'consent.given',
    { purpose: 'candidate-relationship', policyVersion: '2018-05', channel: 'web' },
    at('03-03'),
  ),
  envelope('consent.given', { purpose: 'marketing', policyVersion: '2018-05', channel: 'web' }, at('03-03')),
  envelope(
    'data.collected',
    {
      purpose: 'candidate-relationship',
      fields: { 'preferences.roles': 'Økonomisjef, CFO', 'contact.phone': '+47 912 34 567' },
      collectedFrom: 'subject',
    },
    from('web-form', '03-04'),
  ),
  envelope(
    'data.collected',
    {
      purpose: 'client-assignments',
      fields: { 'assessment.result': 'Sterk analytisk profil' },
      collectedFrom: 'processor',
    },
    from('assessio', '04-10'),
  ),
  envelope(
    'data.disclosed',
    { recipient: 'Klient AS', purpose: 'client-assignments', fields: ['contact.name', 'documents.cv'] },
    from('invenias', '04-15'),
  ),
  envelope(
    'data.corrected',
    { fields: { 'contact.email': 'oyvind.as@example.no' }, reason: 'ny adresse' },
    at('05-02'),
  ),
  envelope('data.used', { purpose: 'customer-service', fields: ['contact.email'] }, from('kundeservice', '06-01')),
  envelope('objection.raised', { purposes: ['customer-service'], grounds: 'Vil ikke bli ringt.' }, at('06-02')),
  envelope('consent.withdrawn', { purpose: 'marketing', channel: 'email' }, at('09-01')),
  ACCESS_REQUEST,
];
const history = (...more: InboundEnvelope[]) => personEvents(policy, [...ENVELOPES, ...more]);

const golden = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '__golden__', name), 'utf8'));
const answerOf = (lang: 'nb' | 'en') =>
  composeAccessAnswer(history(), policy, { lang, now: NOW, requestId: ACCESS_REQUEST.id });

describe('the access answer (Art. 15), composed from events and the policy', () => {
  it.each(['nb', 'en'] as const)('is the golden answer, in %s', (lang) => {
    expect(JSON.parse(JSON.stringify(answerOf(lang)))).toEqual(golden(`access-answer.${lang}.json`));
  });

  it('answers every point of Art. 15(1)(a)-(h), 15(2) and 15(3)', () => {
    const answer = answerOf('nb');
    const filled = (key: keyof AccessAnswer) => {
      const part = answer[key];
      return Array.isArray(part) ? part.length > 0 : typeof part === 'object' && part !== null;
    };
    expect(ART15_ITEMS.map(([item]) => item)).toEqual([
      '15(1)(a)',
      '15(1)(b)',
      '15(1)(c)',
      '15(1)(d)',
      '15(1)(e)',
      '15(1)(f)',
      '15(1)(g)',
      '15(1)(h)',
      '15(2)',
      '15(3)',
    ]);
    expect(ART15_ITEMS.filter(([, key]) => !filled(key))).toEqual([]);
    expect(answer.rights.map((r) => r.right)).toEqual(
      expect.arrayContaining(['rectification', 'erasure', 'restriction', 'objection', 'portability', 'withdrawal']),
    );
    expect(answer.complaint).toMatchObject({ authority: 'Datatilsynet', address: 'Postboks 458 Sentrum, 0105 Oslo' });
    expect(answer.profiling).toMatchObject({ category: 'assessment', held: true, processors: ['Assessio'] });
    expect(answer.recipients.disclosures.map((d) => d.recipient)).toEqual(['Klient AS']);
    expect(answer.retention.dueAt).toBe('2031-06-01T09:00:00.000Z');
  });

  it('shows the corrected value, the objection and the withdrawal, and no id the person cannot use', () => {
    const answer = answerOf('nb');
    const email = answer.data.find((v) => v.field === 'contact.email');
    expect(email).toMatchObject({ value: 'oyvind.as@example.no', correctedAt: ['2026-05-02T09:00:00Z'] });
    expect(answer.purposes.map((p) => [p.purpose, p.status])).toEqual([
      ['client-assignments', 'in-use'],
      ['candidate-relationship', 'in-use'],
      ['customer-service', 'objection-open'],
      ['marketing', 'consent-withdrawn'],
    ]);
    const text = JSON.stringify(answer);
    expect(text).not.toContain(ACCESS_REQUEST.id);
    expect(text).not.toContain(REF);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it('after erasure holds no value, and says when and why the data was erased', () => {
    const erasure = envelope('erasure.requested', { scope: 'all', reason: 'subject-request' }, at('12-02'));
    const answer = composeAccessAnswer(history(erasure), policy, { lang: 'nb', now: NOW });
    expect(answer.status).toBe('erased');
    expect(answer.data).toEqual([]);
    expect(answer.categories).toEqual([]);
    const text = JSON.stringify(answer);
    for (const value of ['Øyvind', 'oyvind', '912 34 567', 'Økonomisjef', 'analytisk', 'cv-øyvind']) {
      expect(text).not.toContain(value);
    }
    expect(answer.erasures).toEqual([
      expect.objectContaining({ at: '2026-12-02T09:00:01.000Z', reason: 'subject-request', everything: true }),
    ]);
    expect(answer.summary).toBe(
      'Opplysningene dine ble slettet 2. desember 2026, fordi du ba om det. Vi har ingen av verdiene lenger. ' +
        'Vi har bare beholdt et bevis på hva vi behandlet, når, og når og hvorfor det ble slettet.',
    );
    expect(answer.retention.dueAt).toBeNull();
    expect(answer.purposes.every((p) => p.status === 'erased')).toBe(true);
  });
});
