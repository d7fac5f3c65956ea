import { defaultPolicy, envelope } from '../../../domain/src/testing/envelopes';
import { personEvents } from '../testing/person-events';
import { portabilityCsv, portabilityExport, portableFields } from './portability-export';

const policy = defaultPolicy();
const at = (day: string) => ({ occurredAt: `2026-${day}T09:00:00Z` });

describe('the portability export (Art. 20)', () => {
  const events = personEvents(policy, [
    envelope(
      'consent.given',
      { purpose: 'candidate-relationship', policyVersion: '2018-05', channel: 'web' },
      at('03-01'),
    ),
    envelope(
      'data.collected',
      { purpose: 'candidate-relationship', fields: { 'preferences.roles': 'CFO' }, collectedFrom: 'subject' },
      at('03-02'),
    ),
    envelope(
      'data.collected',
      { purpose: 'candidate-relationship', fields: { 'work.employer': 'Firma AS' }, collectedFrom: 'third-party' },
      at('03-02'),
    ),
    envelope(
      'data.collected',
      {
        purpose: 'credit-check-invoicing',
        fields: { 'contact.address': 'Storgata 1, 0155 Oslo' },
        collectedFrom: 'subject',
      },
      at('03-03'),
    ),
    envelope(
      'data.collected',
      { purpose: 'client-assignments', fields: { 'contact.email': 'a@example.no' }, collectedFrom: 'subject' },
      at('03-04'),
    ),
    envelope('data.corrected', { fields: { 'preferences.roles': 'CFO, "daglig leder"' } }, at('04-01')),
  ]);

  it('holds what the person gave under consent or contract, corrected, and nothing else', () => {
    expect(portableFields(events, 60)).toEqual([
      { field: 'contact.address', value: 'Storgata 1, 0155 Oslo', collectedAt: '2026-03-03T09:00:00Z' },
      { field: 'preferences.roles', value: 'CFO, "daglig leder"', collectedAt: '2026-03-02T09:00:00Z' },
    ]);
    expect(portabilityExport('s-1', portableFields(events, 60), '2026-12-06T12:00:00Z')).toEqual({
      subjectId: 's-1',
      exportedAt: '2026-12-06T12:00:00Z',
      fields: { 'contact.address': 'Storgata 1, 0155 Oslo', 'preferences.roles': 'CFO, "daglig leder"' },
    });
  });

  it('writes RFC 4180 CSV: CRLF records, quotes doubled, fields with separators quoted', () => {
    expect(portabilityCsv(portableFields(events, 60))).toBe(
      'field,value,collectedAt\r\n' +
        'contact.address,"Storgata 1, 0155 Oslo",2026-03-03T09:00:00Z\r\n' +
        'preferences.roles,"CFO, ""daglig leder""",2026-03-02T09:00:00Z\r\n',
    );
  });

  it('holds nothing after erasure', () => {
    const erased = personEvents(policy, [
      envelope(
        'data.collected',
        { purpose: 'credit-check-invoicing', fields: { 'contact.address': 'Storgata 1' }, collectedFrom: 'subject' },
        at('03-03'),
      ),
      envelope('erasure.requested', { scope: 'all', reason: 'subject-request' }, at('04-01')),
    ]);
    expect(portableFields(erased, 60)).toEqual([]);
  });
});
