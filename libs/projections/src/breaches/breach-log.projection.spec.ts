import type { StoredEvent } from '#ledger/event-store';
import { documentSpecification } from '../testing/document-specification';
import { exposureChange } from './breach-exposure.projection';
import {
  breachLogDocuments,
  notifiedWithin72h,
  type BreachFacts,
  type BreachNotification,
  type BreachRow,
} from './breach-log.projection';

// The breach log after a breach's stream: its facts, its notifications, the authority's first.
const { given } = documentSpecification(breachLogDocuments);
const breachId = '0b4f3f1e-7d2a-4c8e-9f10-2a3b4c5d6e7f';
const subjectId = '6f1d2c3b-4a59-4e8f-9a7b-0c1d2e3f4a5b';

const stored = (streamId: string, revision: number, type: string, data: object, source = 'dpo'): StoredEvent => ({
  eventId: `e${revision}`,
  type,
  data: data as Record<string, unknown>,
  personal: null,
  meta: {
    envelopeId: `m${revision}`,
    envelopeHash: 'h',
    occurredAt: '2027-03-01T08:00:00.000Z',
    source,
    correlationId: 'c',
    causationId: 'c',
  },
  recordedAt: `2027-03-0${revision + 1}T09:00:00.000Z`,
  streamId,
  revision,
  checkpoint: String(revision),
  hash: 'h',
  previousHash: null,
});

const facts: BreachFacts = {
  id: breachId,
  discoveredAt: '2027-03-01T08:00:00.000Z',
  periodFrom: '2027-02-20T00:00:00.000Z',
  periodTo: '2027-02-28T00:00:00.000Z',
  nature: 'an export of the candidate list was sent to the wrong client',
  systems: ['webcruiter'],
  categories: ['contact'],
  consequences: 'contact details seen by one client',
  measures: 'the client confirmed deletion',
};
const stream = `breach-${breachId}`;
const row = (over: Partial<BreachRow>): BreachRow => ({
  ...facts,
  recordedAt: '2027-03-01T09:00:00.000Z',
  notifications: [],
  authorityNotifiedAt: null,
  version: 1,
  ...over,
});

describe('the breach log', () => {
  it('holds the breach with its notifications; the authority notified first counts', () => {
    const persons: BreachNotification = { to: 'subjects', at: '2027-03-02T08:00:00.000Z', reference: null };
    const late: BreachNotification = { to: 'authority', at: '2027-03-05T08:00:00.000Z', reference: 'DT-2' };
    const first: BreachNotification = { to: 'authority', at: '2027-03-01T18:00:00.000Z', reference: 'DT-1' };
    given([
      stored(stream, 0, 'breach.recorded', facts),
      stored(stream, 1, 'breach.notified', persons),
      stored(stream, 2, 'breach.notified', late),
      stored(stream, 3, 'breach.notified', first),
    ]).then(row({ notifications: [persons, late, first], authorityNotifiedAt: first.at, version: 4 }));
  });

  it('passes subject streams by', () => {
    const collected = stored(`subject-${subjectId}`, 0, 'data.collected', { fields: ['contact.email'] });
    expect(breachLogDocuments.canHandle(collected)).toBe(false);
    expect(breachLogDocuments.canHandle(stored(stream, 0, 'breach.recorded', facts))).toBe(true);
  });

  it('judges the 72 hours: by the notification once there is one, else by the clock', () => {
    const at = (hours: number) => new Date(Date.parse(facts.discoveredAt) + hours * 3_600_000).toISOString();
    expect(notifiedWithin72h(row({ authorityNotifiedAt: at(10) }), at(200))).toBe(true);
    expect(notifiedWithin72h(row({ authorityNotifiedAt: at(80) }), at(200))).toBe(false);
    expect(notifiedWithin72h(row({}), at(71))).toBeNull();
    expect(notifiedWithin72h(row({}), at(73))).toBe(false);
  });
});

describe('the exposure index', () => {
  const subjectStream = `subject-${subjectId}`;

  it('learns the categories held from a source and disclosed to a recipient, and erasures by category', () => {
    const collected = stored(subjectStream, 0, 'data.collected', {
      fields: ['contact.email', 'contact.phone', 'work.x'],
    });
    expect(exposureChange({ ...collected, meta: { ...collected.meta, source: 'webcruiter' } })).toEqual({
      kind: 'held',
      rows: [
        { subjectId, system: 'webcruiter', category: 'contact', at: '2027-03-01T08:00:00.000Z' },
        { subjectId, system: 'webcruiter', category: 'work', at: '2027-03-01T08:00:00.000Z' },
      ],
    });
    const disclosed = stored(subjectStream, 1, 'data.disclosed', { recipient: 'Assessio', fields: ['contact.email'] });
    expect(exposureChange(disclosed)).toEqual({
      kind: 'held',
      rows: [{ subjectId, system: 'Assessio', category: 'contact', at: '2027-03-01T08:00:00.000Z' }],
    });
    const erased = stored(subjectStream, 2, 'erasure.completed', { scope: ['contact'], categories: ['contact'] });
    expect(exposureChange(erased)).toEqual({
      kind: 'erased',
      subjectId,
      categories: ['contact'],
      at: '2027-03-01T08:00:00.000Z',
    });
    expect(exposureChange(stored(subjectStream, 3, 'data.used', { fields: ['contact.email'] }))).toBeNull();
    expect(exposureChange(stored(stream, 0, 'breach.recorded', facts))).toBeNull();
  });
});
