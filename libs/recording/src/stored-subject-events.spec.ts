import type { ErasureCompletedEvent, SubjectEvent } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import { erasedKeyIdsOf, fromStored, toStored } from './stored-subject-events';

const erasure: ErasureCompletedEvent = {
  type: 'erasure.completed',
  data: {
    requestId: 'r1',
    scope: ['contact'],
    reason: 'subject-request',
    categories: ['contact'],
    fields: ['contact.email'],
  },
  personal: {},
};
const used: SubjectEvent = {
  type: 'data.used',
  data: { purpose: 'security', lawfulBasis: 'legitimate-interest', fields: [] },
  personal: {},
};

const asStored = (event: Pick<StoredEvent, 'type' | 'data' | 'personal'>): StoredEvent => ({
  ...event,
  eventId: 'e1',
  meta: {
    envelopeId: 'env-1',
    envelopeHash: 'h',
    occurredAt: 't',
    source: 'crm',
    correlationId: 'c',
    causationId: 'c',
  },
  recordedAt: 't',
  streamId: 'subject-s1',
  revision: 0,
  checkpoint: '0',
  hash: 'x',
  previousHash: null,
});

describe('toStored', () => {
  it('writes an erasure with the keys it destroys after its decided fields, byte for byte as the log holds it', () => {
    const stored = toStored({ event: erasure, personal: null, keyIds: ['k1', 'k2'] });
    expect(JSON.stringify(stored)).toBe(
      '{"type":"erasure.completed","data":{"requestId":"r1","scope":["contact"],"reason":"subject-request",' +
        '"categories":["contact"],"fields":["contact.email"],"keyIds":["k1","k2"]},"personal":null}',
    );
  });

  it('leaves the decided event as it was: sealing adds beside it, never into it', () => {
    const before = JSON.stringify(erasure);
    toStored({ event: erasure, personal: null, keyIds: ['k1'] });
    expect(JSON.stringify(erasure)).toBe(before);
  });

  it('writes any other event with its data as decided and its sealed personal values', () => {
    expect(toStored({ event: used, personal: { description: 'enc:v3:…' }, keyIds: null })).toEqual({
      type: 'data.used',
      data: used.data,
      personal: { description: 'enc:v3:…' },
    });
  });
});

describe('fromStored', () => {
  it('gives back the decided event of what toStored wrote, and the erased key ids beside it', () => {
    const stored = asStored(toStored({ event: erasure, personal: null, keyIds: ['k1', 'k2'] }));
    expect(fromStored(stored)).toEqual(erasure);
    expect(erasedKeyIdsOf(stored)).toEqual(['k1', 'k2']);
  });

  it('reads an erasure stored without key ids as naming none', () => {
    const stored = asStored({ type: 'erasure.completed', data: erasure.data, personal: null });
    expect(fromStored(stored)).toEqual(erasure);
    expect(erasedKeyIdsOf(stored)).toEqual([]);
  });

  it('puts the personal values a reader opened in place of the sealed ones', () => {
    const stored = asStored({ type: 'data.used', data: used.data, personal: { linkedRef: 'enc:v3:…' } });
    expect(fromStored(stored).personal).toEqual({ linkedRef: 'enc:v3:…' });
    expect(fromStored(stored, { linkedRef: 'crm:42' }).personal).toEqual({ linkedRef: 'crm:42' });
  });

  it('refuses a type no subject event has, naming the event by id only', () => {
    expect(() => fromStored(asStored({ type: 'data.vanished', data: {}, personal: null }))).toThrow(
      'not a subject event type: data.vanished (event e1)',
    );
  });
});
