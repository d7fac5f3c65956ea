import { validateEnvelope } from './validate-envelope';

const valid = {
  id: '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10',
  type: 'data.collected',
  occurredAt: '2026-11-20T10:15:00Z',
  source: 'webcruiter',
  actor: 'recruiter:kari.hansen',
  subject: { ref: 'webcruiter:candidate:4711' },
  data: { purpose: 'client-assignments', fields: { 'contact.email': 'ola@example.no' }, collectedFrom: 'processor' },
};

const details = (raw: unknown) => {
  const check = validateEnvelope(raw, 'events[0]');
  return 'details' in check ? check.details : [];
};
const paths = (raw: unknown) => [...new Set(details(raw).map((d) => d.path))].sort();

describe('validateEnvelope', () => {
  it('accepts the contract example and returns it typed', () => {
    const check = validateEnvelope(valid);
    expect('envelope' in check && check.envelope.type).toBe('data.collected');
  });

  it('gives every UUID in lowercase, so that one written in capitals is the same id', () => {
    const upper = '0B6F1C8E-3A55-4A1E-9A53-5C1D2F6F9B10';
    const objection = 'A3C1D2E4-0000-4000-8000-00000000000F';
    const raw = {
      ...valid,
      id: upper,
      causationId: upper,
      type: 'objection.resolved',
      subject: { id: upper },
      data: { objectionId: objection, outcome: 'rejected', reason: 'x' },
    };
    const check = validateEnvelope(raw);
    expect('envelope' in check && check.envelope).toEqual({
      ...raw,
      id: upper.toLowerCase(),
      causationId: upper.toLowerCase(),
      subject: { id: upper.toLowerCase() },
      data: { ...raw.data, objectionId: objection.toLowerCase() },
    });
    expect(raw.id).toBe(upper); // the input itself is left as it came (Kafka dead letters carry it unchanged)
  });

  it('names the path of every problem', () => {
    const bad = { ...valid, id: 'not-a-uuid', occurredAt: '2026-11-20 10:15', data: { ...valid.data, purpose: 7 } };
    expect(paths(bad)).toEqual(['events[0].data.purpose', 'events[0].id', 'events[0].occurredAt']);
  });

  it('requires the grounds of an objection', () => {
    const raw = { ...valid, type: 'objection.raised', data: { purposes: ['client-assignments'] } };
    expect(paths(raw)).toEqual(['events[0].data.grounds']);
  });

  it('refuses fields that the contract does not have, instead of dropping them silently', () => {
    const raw = { ...valid, data: { ...valid.data, ssn: '01019012345' } };
    expect(details(raw)).toEqual([{ path: 'events[0].data.ssn', message: 'unknown field ssn' }]);
  });

  it('never quotes a rejected value in its messages', () => {
    const raw = {
      ...valid,
      subject: { ref: 'ola.nordmann@example.no' },
      data: { ...valid.data, fields: { email: 'ola@example.no' } },
    };
    const text = JSON.stringify(details(raw));
    expect(paths(raw)).toEqual(['events[0].data.fields', 'events[0].subject.ref']);
    expect(text).not.toContain('ola');
  });

  it('takes a subject by ref or by id, not by neither', () => {
    expect(details({ ...valid, subject: { id: '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10' } })).toEqual([]);
    expect(paths({ ...valid, subject: {} })).toEqual(['events[0].subject.id', 'events[0].subject.ref']);
  });

  it('refuses an erasure scope that is neither all nor categories', () => {
    const raw = { ...valid, type: 'erasure.requested', data: { scope: [], reason: 'subject-request' } };
    expect(paths(raw)).toEqual(['events[0].data.scope']);
  });

  it('refuses non-objects and NUL characters', () => {
    expect(details('hello')).toEqual([{ path: 'events[0]', message: 'an envelope must be a JSON object' }]);
    expect(details({ ...valid, source: 'a\u0000b' })).toHaveLength(1);
  });
});

describe('validateEnvelope on unknown fields', () => {
  it('names an unknown field only when its key has the shape of a name', () => {
    const raw = { ...valid, data: { ...valid.data, 'ola nordmann@example.no': 'x', ssn: 'y' } };
    const check = validateEnvelope(raw);
    expect('details' in check && check.details).toEqual([
      { path: 'data.*', message: 'unknown field *' },
      { path: 'data.ssn', message: 'unknown field ssn' },
    ]);
  });
});
