import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  cutDownValue,
  DeadLetterKeyDestroyed,
  openMessageValue,
  sealMessageValue,
  type Open,
  type Seal,
} from './dead-letter-value';

// A real cipher (AES-256-GCM) under a test key, so that what is sealed is really unreadable.
const key = randomBytes(32);
const seal: Seal = (plain) => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `dlq:v1:testkid:${body.toString('base64url')}`;
};
const open: Open = (sealed) => {
  const body = Buffer.from(sealed.slice('dlq:v1:testkid:'.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, 12));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]);
};

const envelope = {
  id: '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10',
  type: 'data.collected',
  occurredAt: '2026-11-20T10:15:00Z',
  source: 'webcruiter',
  actor: 'recruiter:kari.hansen',
  subject: { ref: 'webcruiter:candidate:4711' },
  data: {
    purpose: 'candidate-relationship',
    fields: { 'contact.email': 'ola@example.no', 'contact.phone': { nested: '+47 912 34 567' } },
    collectedFrom: 'subject',
    grounds: 'Ola moved to Bergen',
    'ola.nordmann@example.no': 'a key that quotes input',
  },
};
// As a JSON text: a literal `__proto__` key would set the prototype, not add a key.
const text = JSON.stringify(envelope).replace(/}$/, ',"__proto__":"a key no object may have"}');
const personal = [
  'kari.hansen',
  'webcruiter:candidate:4711',
  'ola@example.no',
  '912 34 567',
  'Bergen',
  'ola.nordmann',
  'a key no object',
];

describe('a dead letter value', () => {
  it('keeps the envelope shape with nothing personal in clear, and opens to the same envelope', () => {
    const letter = sealMessageValue(Buffer.from(text), seal);
    for (const value of personal) expect(letter).not.toContain(value);
    const shape = JSON.parse(letter);
    expect(shape).toMatchObject({
      id: envelope.id,
      type: 'data.collected',
      source: 'webcruiter',
      data: { purpose: 'candidate-relationship', collectedFrom: 'subject' },
    });
    expect(shape.subject.ref).toMatch(/^dlq:v1:/);
    expect(Object.keys(shape.data.fields)).toEqual(['contact.email', 'contact.phone']);
    expect(shape.data.grounds).toMatch(/^dlq:v1:/);
    expect(JSON.parse(openMessageValue(Buffer.from(letter), open).toString())).toEqual(JSON.parse(text));
    expect(Object.keys(JSON.parse(openMessageValue(Buffer.from(letter), open).toString()))).toContain('__proto__');
  });

  it('seals a value that is not JSON, or not an object, whole and byte for byte', () => {
    for (const value of [
      Buffer.from('{"id": broken ola@example.no'),
      Buffer.from('"ola@example.no"'),
      Buffer.from([0xff, 0xfe, 0x00]),
    ]) {
      const letter = sealMessageValue(value, seal);
      expect(letter).not.toContain('ola@example.no');
      expect(openMessageValue(Buffer.from(letter), open).equals(value)).toBe(true);
    }
  });

  it('seals a clear field whose value is long, multi-line or looks sealed', () => {
    const letter = JSON.parse(
      sealMessageValue(Buffer.from(JSON.stringify({ id: 'x'.repeat(300), source: 'a\nb', type: 'dlq:v1:x' })), seal),
    );
    expect(Object.values(letter).every((v) => String(v).startsWith('dlq:v1:'))).toBe(true);
  });

  it('cuts down to the id, type and source and a marker', () => {
    expect(JSON.parse(cutDownValue(Buffer.from(JSON.stringify(envelope))))).toEqual({
      id: envelope.id,
      type: 'data.collected',
      source: 'webcruiter',
      truncated: true,
    });
    expect(JSON.parse(cutDownValue(Buffer.from('not json')))).toEqual({ truncated: true });
  });

  it('refuses to open a letter whose key is destroyed', () => {
    const letter = sealMessageValue(Buffer.from(text), seal);
    expect(() => openMessageValue(Buffer.from(letter), () => null)).toThrow(DeadLetterKeyDestroyed);
  });
});
