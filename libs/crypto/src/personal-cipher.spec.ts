import { randomBytes } from 'node:crypto';
import {
  isSealed,
  openDeep,
  openValue,
  placeInPersonal,
  sealPersonal,
  sealValue,
  SealedValueMisplaced,
  type SubjectKeys,
} from './personal-cipher';
import { sealAesGcm } from './testing/legacy-aes-gcm';
import { seal } from './xchacha';

const subjectId = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const keysOf = (...keys: Array<{ kid: string; key: Buffer; category: string }>): SubjectKeys => ({
  active: new Map(keys.map((k) => [k.category, k])),
  byKid: new Map(keys.map((k) => [k.kid, k.key])),
});

describe('sealing personal values', () => {
  const contact = { kid: '0a1b2c3d4e5f', key: randomBytes(32), category: 'contact' };
  const subject = { kid: 'aabbccddeeff', key: randomBytes(32), category: 'subject' };

  it('seals each value under its category key, as enc:v3 with the key id, and opens it again at its place', () => {
    const sealed = sealPersonal(
      subjectId,
      { values: { 'contact.email': 'ola@example.no' }, linkedRef: 'webcruiter:candidate:4711' },
      keysOf(contact, subject),
    );
    const values = sealed.values as Record<string, string>;
    expect(values['contact.email']).toMatch(/^enc:v3:0a1b2c3d4e5f:[A-Za-z0-9_-]+$/);
    expect(sealed.linkedRef).toMatch(/^enc:v3:aabbccddeeff:/);
    expect(JSON.stringify(sealed)).not.toMatch(/ola@example|4711/);
    expect(openDeep(subjectId, sealed, keysOf(contact, subject), placeInPersonal)).toEqual({
      values: { 'contact.email': 'ola@example.no' },
      linkedRef: 'webcruiter:candidate:4711',
    });
  });

  it('refuses a v3 value read at another place, naming the subject and the place only', () => {
    const email = sealValue(subjectId, contact, 'ola@example.no', 'contact.email');
    const name = sealValue(subjectId, contact, 'Ola Nordmann', 'contact.name');
    const swapped = { values: { 'contact.email': name, 'contact.name': email } };
    let thrown: unknown;
    try {
      openDeep(subjectId, swapped, keysOf(contact), placeInPersonal);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SealedValueMisplaced);
    expect(thrown).toMatchObject({ code: 'SEALED_VALUE_MISPLACED', subjectId, place: 'contact.email' });
    expect((thrown as Error).message).not.toMatch(/ola|Nordmann/i);
    expect(() => openValue(subjectId, email, keysOf(contact), 'evidence')).toThrow(SealedValueMisplaced);
    // Bound to its subject:
    expect(() => openValue(other, email, keysOf(contact), 'contact.email')).toThrow(SealedValueMisplaced);
    expect(openValue(subjectId, email, keysOf(contact), 'contact.email')).toBe('ola@example.no');
  });

  it('opens values sealed as enc:v2 (bound to subject and key only) at any place', () => {
    const sealed = seal(contact.key, Buffer.from('per@example.no'), `${subjectId}/${contact.kid}`);
    const v2 = `enc:v2:${contact.kid}:${sealed.toString('base64url')}`;
    expect(isSealed(v2)).toBe(true);
    expect(openValue(subjectId, v2, keysOf(contact), 'contact.email')).toBe('per@example.no');
    expect(openValue(subjectId, v2, keysOf(contact), 'contact.name')).toBe('per@example.no');
    expect(() => openValue(other, v2, keysOf(contact), 'contact.email')).toThrow();
  });

  it('opens values sealed with AES-256-GCM (enc:v1), which events keep for good', () => {
    const body = sealAesGcm(contact.key, Buffer.from('kari@example.no'), `${subjectId}/${contact.kid}`);
    const legacy = `enc:v1:${contact.kid}:${body.toString('base64url')}`;
    expect(isSealed(legacy)).toBe(true);
    expect(openValue(subjectId, legacy, keysOf(contact), 'contact.email')).toBe('kari@example.no');
    expect(() => openValue(other, legacy, keysOf(contact), 'contact.email')).toThrow(); // bound to its subject
  });

  it('answers null for a value whose key is gone', () => {
    const sealed = sealValue(subjectId, contact, 'ola@example.no', 'contact.email');
    expect(openValue(subjectId, sealed, keysOf(subject), 'contact.email')).toBeNull();
    expect(isSealed('enc:v4:x:y')).toBe(false);
  });
});
