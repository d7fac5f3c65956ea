import { randomBytes } from 'node:crypto';
import { open, seal } from './xchacha';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('XChaCha20-Poly1305 sealing', () => {
  it('opens the published test vector (draft-irtf-cfrg-xchacha-03, A.3.1): the standard, not a look-alike', () => {
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const ciphertextAndTag = hex(`
      bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39
      ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
      21f9664c97637da9768812f615c68b13b52e c0875924c1c7987947deafd8780acf49`);
    const opened = open(key, Buffer.concat([nonce, ciphertextAndTag]), aad);
    expect(opened.toString('utf8')).toBe(
      "Ladies and Gentlemen of the class of '99: " +
        'If I could offer you only one tip for the future, sunscreen would be it.',
    );
  });

  it('round-trips with a fresh nonce every time', () => {
    const key = randomBytes(32);
    const a = seal(key, Buffer.from('ola@example.no'), 'subject/kid');
    const b = seal(key, Buffer.from('ola@example.no'), 'subject/kid');
    expect(a).toHaveLength(24 + 14 + 16);
    expect(a.subarray(0, 24).equals(b.subarray(0, 24))).toBe(false);
    expect(open(key, a, 'subject/kid').toString()).toBe('ola@example.no');
    expect(open(key, seal(key, Buffer.alloc(0), 'x'), 'x')).toHaveLength(0);
  });

  it('refuses a flipped bit anywhere, another AAD, another key, or a value too short to hold a tag', () => {
    const key = randomBytes(32);
    const sealed = seal(key, Buffer.from('ola@example.no'), 'subject-a/kid');
    for (let i = 0; i < sealed.length; i += 1) {
      const tampered = Buffer.from(sealed);
      tampered[i]! ^= 0x01;
      expect(() => open(key, tampered, 'subject-a/kid')).toThrow();
    }
    expect(() => open(key, sealed, 'subject-b/kid')).toThrow();
    expect(() => open(randomBytes(32), sealed, 'subject-a/kid')).toThrow();
    expect(() => open(key, sealed.subarray(0, 39), 'subject-a/kid')).toThrow(/shorter than its nonce and tag/);
  });
});
