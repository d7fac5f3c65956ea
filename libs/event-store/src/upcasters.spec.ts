import type { StoredEvent } from './event-store.port';
import { upcasterChain, type Upcaster } from './upcasters';

const stored = (type: string, data: Record<string, unknown>): StoredEvent => ({
  eventId: 'e1',
  type,
  data,
  personal: null,
  meta: {
    envelopeId: 'env-1',
    envelopeHash: 'h',
    occurredAt: 't',
    source: 'crm',
    correlationId: 'c',
    causationId: 'c',
  },
  recordedAt: 't',
  streamId: 'subject-1',
  revision: 0,
  checkpoint: '0',
  hash: 'x',
  previousHash: null,
});

// An example schema change: `note` renamed to `reason`, then `reason` made a list.
const renameNote: Upcaster = {
  type: 'thing.happened',
  upcast: (e) => ('note' in e.data ? { ...e, data: { reason: e.data.note } } : e),
};
const reasonAsList: Upcaster = {
  type: 'thing.happened',
  upcast: (e) => (typeof e.data.reason === 'string' ? { ...e, data: { reasons: [e.data.reason] } } : e),
};

describe('upcasterChain', () => {
  it('with an empty registry, gives back the very event it read', () => {
    const event = stored('thing.happened', { note: 'old' });
    expect(upcasterChain([])(event)).toBe(event);
  });

  it('brings an event of the oldest schema through every later one, in order', () => {
    const upcast = upcasterChain([renameNote, reasonAsList]);
    expect(upcast(stored('thing.happened', { note: 'old' })).data).toEqual({ reasons: ['old'] });
    expect(upcast(stored('thing.happened', { reason: 'newer' })).data).toEqual({ reasons: ['newer'] });
  });

  it('leaves an event of the current schema, and of another type, as they are', () => {
    const upcast = upcasterChain([renameNote, reasonAsList]);
    const current = stored('thing.happened', { reasons: ['now'] });
    const other = stored('other.happened', { note: 'kept' });
    expect(upcast(current)).toEqual(current);
    expect(upcast(other)).toBe(other);
  });
});
