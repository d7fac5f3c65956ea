import { randomBytes } from 'node:crypto';
import { isSealed, openDeep, openValue, sealPersonal, sealValue, type SubjectKeys } from './personal-cipher';
import { sealAesGcm } from './testing/legacy-aes-gcm';

const subjectId = '11111111-1111-4111-8111-111111111111';
const keysOf = (...keys: Array<{ kid: string; key: Buffer; category: string }>): SubjectKeys => ({
  active: new Map(keys.map((k) => [k.category, k])),
  byKid: new Map(keys.map((k) => [k.kid, k.key])),
});

describe('sealing personal values', () => {
  const contact = { kid: '0a1b2c3d4e5f', key: randomBytes(32), category: 'contact' };
  const subject = { kid: 'aabbccddeeff', key: randomBytes(32), category: 'subject' };

  it('seals each value under its category key, as enc:v2 with the key id, and opens it again', () => {
    const sealed = sealPersonal(subjectId, { values: { 'contact.email': 'ola@example.no' }, ref: 'webcruiter:candidate:4711' }, keysOf(contact, subject));
    const values = sealed.values as Record<string, string>;
    expect(values['contact.email']).toMatch(/^enc:v2:0a1b2c3d4e5f:[A-Za-z0-9_-]+$/);
    expect(sealed.ref).toMatch(/^enc:v2:aabbccddeeff:/);
    expect(JSON.stringify(sealed)).not.toMatch(/ola@example|4711/);
    expect(openDeep(subjectId, sealed, keysOf(contact, subject))).toEqual({ values: { 'contact.email': 'ola@example.no' }, ref: 'webcruiter:candidate:4711' });
  });

  it('opens values sealed with AES-256-GCM before 2026-11-30 (enc:v1), which events keep for good', () => {
    const body = sealAesGcm(contact.key, Buffer.from('kari@example.no'), `${subjectId}/${contact.kid}`);
    const legacy = `enc:v1:${contact.kid}:${body.toString('base64url')}`;
    expect(isSealed(legacy)).toBe(true);
    expect(openValue(subjectId, legacy, keysOf(contact))).toBe('kari@example.no');
    expect(() => openValue('22222222-2222-4222-8222-222222222222', legacy, keysOf(contact))).toThrow(); // bound to its subject
  });

  it('answers null for a value whose key is gone, and refuses one moved to another subject', () => {
    const sealed = sealValue(subjectId, contact, 'ola@example.no');
    expect(openValue(subjectId, sealed, keysOf(subject))).toBeNull();
    expect(() => openValue('22222222-2222-4222-8222-222222222222', sealed, keysOf(contact))).toThrow();
    expect(isSealed('enc:v3:x:y')).toBe(false);
  });
});
