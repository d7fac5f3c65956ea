import type { StoredEvent } from '#ledger/event-store';
import { purposesOf, summariseActivity } from './processing-activity.projection';

// The figures of the Art. 30 record from a batch of recorded events: per purpose, and the systems seen.
const anna = '6f1d2c3b-4a59-4e8f-9a7b-0c1d2e3f4a5b';
const bo = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
let position = 0;
const stored = (subjectId: string, type: string, data: object, occurredAt: string, source = 'webcruiter') => {
  position += 1;
  return {
    eventId: `e${position}`,
    type,
    data,
    personal: {},
    meta: {
      envelopeId: `m${position}`,
      envelopeHash: 'h',
      occurredAt,
      source,
      correlationId: 'c',
      causationId: 'c',
    },
    recordedAt: occurredAt,
    streamId: `subject-${subjectId}`,
    revision: position,
    checkpoint: String(position),
    hash: 'h',
    previousHash: null,
  } as StoredEvent;
};
const collected = (purpose: string) => ({ purpose, lawfulBasis: 'consent', collectedFrom: 'processor', fields: [] });
const disclosed = (recipient: string) => ({
  recipient,
  purpose: 'client-assignments',
  lawfulBasis: 'legitimate-interest',
  fields: ['contact.email'],
});

describe('the processing-activity projection', () => {
  it('counts events and distinct persons per purpose, with the latest moment', () => {
    const batch = summariseActivity([
      stored(anna, 'data.collected', collected('marketing'), '2027-01-02T09:00:00.000Z'),
      stored(
        anna,
        'consent.given',
        { purpose: 'marketing', policyVersion: '2018-05', channel: 'web' },
        '2027-01-01T09:00:00.000Z',
      ),
      stored(bo, 'consent.withdrawn', { purpose: 'marketing', channel: 'web' }, '2027-01-03T09:00:00.000Z'),
      stored(
        bo,
        'objection.raised',
        { objectionId: 'o1', purposes: ['security', 'customer-service'] },
        '2027-01-04T09:00:00.000Z',
      ),
      stored(bo, 'restriction.placed', {}, '2027-01-05T09:00:00.000Z'),
    ]);
    const figures = Object.fromEntries(
      [...batch.purposes].map(([id, r]) => [
        id,
        { events: r.events, subjects: [...r.subjects].sort(), lastAt: r.lastAt },
      ]),
    );
    expect(figures).toEqual({
      marketing: { events: 3, subjects: [bo, anna].sort(), lastAt: '2027-01-03T09:00:00.000Z' },
      security: { events: 1, subjects: [bo], lastAt: '2027-01-04T09:00:00.000Z' },
      'customer-service': { events: 1, subjects: [bo], lastAt: '2027-01-04T09:00:00.000Z' },
    });
  });

  it('records the source of each collection and the recipient of each disclosure, undeclared or not', () => {
    const batch = summariseActivity([
      stored(anna, 'data.collected', collected('client-assignments'), '2027-01-02T09:00:00.000Z', 'webcruiter'),
      stored(bo, 'data.collected', collected('client-assignments'), '2027-01-03T09:00:00.000Z', 'webcruiter'),
      stored(bo, 'data.collected', collected('marketing'), '2027-01-04T09:00:00.000Z', 'spreadsheet'),
      stored(anna, 'data.disclosed', disclosed('Assessio'), '2027-01-05T09:00:00.000Z'),
      stored(anna, 'data.disclosed', disclosed('Data Broker Ltd'), '2027-01-06T09:00:00.000Z'),
      stored(
        anna,
        'data.used',
        { purpose: 'marketing', lawfulBasis: 'consent', fields: [] },
        '2027-01-07T09:00:00.000Z',
        'mailer',
      ),
    ]);
    expect([...batch.parties.values()]).toEqual([
      { kind: 'source', name: 'webcruiter', events: 2, lastAt: '2027-01-03T09:00:00.000Z' },
      { kind: 'source', name: 'spreadsheet', events: 1, lastAt: '2027-01-04T09:00:00.000Z' },
      { kind: 'recipient', name: 'Assessio', events: 1, lastAt: '2027-01-05T09:00:00.000Z' },
      { kind: 'recipient', name: 'Data Broker Ltd', events: 1, lastAt: '2027-01-06T09:00:00.000Z' },
    ]);
  });

  it('passes by events outside subject streams and events that name no purpose', () => {
    const other = {
      ...stored(anna, 'data.collected', collected('marketing'), '2027-01-02T09:00:00.000Z'),
      streamId: 'breach-1',
    };
    const batch = summariseActivity([
      other,
      stored(anna, 'legal-hold.placed', { holdId: 'h' }, '2027-01-02T09:00:00.000Z'),
    ]);
    expect(batch.purposes.size).toBe(0);
    expect(batch.parties.size).toBe(0);
    expect(purposesOf(other)).toEqual(['marketing']);
  });
});
