import type { StoredEvent } from './event-store.port';
import { canonicalJson, eventHash, verifyChain } from './hash-chain';
import { newEvent } from './testing/event-store.contract';

const chain = (n: number): StoredEvent[] => {
  const events: StoredEvent[] = [];
  let previousHash: string | null = null;
  for (let revision = 0; revision < n; revision += 1) {
    const event = newEvent();
    const hash = eventHash('subject-1', revision, event, previousHash);
    events.push({ ...event, streamId: 'subject-1', revision, hash, previousHash, checkpoint: `1/${revision}` });
    previousHash = hash;
  }
  return events;
};

describe('the hash chain', () => {
  it('hashes an event to the same link as every earlier version did (stored chains keep verifying)', () => {
    const event = {
      eventId: '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10',
      type: 'data.collected',
      data: { purpose: 'client-assignments', collectedFrom: 'processor', fields: ['contact.email'] },
      personal: { values: { 'contact.email': 'enc:v1:abc:def' } },
      meta: {
        envelopeId: '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10',
        envelopeHash: 'fp',
        source: 'webcruiter',
        actor: 'recruiter:kari',
        occurredAt: '2026-11-20T10:15:00Z',
        correlationId: '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10',
        causationId: '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10',
      },
      recordedAt: '2026-11-20T10:15:01.000Z',
    };
    // Computed by the implementation of 2026-11-28 (a Hash object, keys sorted on the fly).
    expect(eventHash('subject-1', 0, event, null)).toBe(
      'b1c6579a3de473d87b16e6a0708c1625f6edf24804d45f062c989a26f3c5e6b5',
    );
    expect(eventHash('subject-1', 1, event, 'ab'.repeat(32))).toBe(
      '8c4f61cfff24ac48bab4a7bd6d1d2746ef941f64016434d3a3bd82f02e9827be',
    );
  });

  it('gives one text per value whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }),
    );
  });

  it('orders any number of keys as Array.prototype.sort does (UTF-16 code units)', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['a', 'b', 'B', 'z', '.', '-', '_', 'æ', 'ø', 'Å', '😀', '\uffff', 'é', 'e\u0301'];
    for (let i = 0; i < 500; i += 1) {
      const record: Record<string, number> = {};
      const count = 1 + Math.floor(next() * 45);
      for (let k = 0; k < count; k += 1) {
        const key = Array.from(
          { length: 1 + Math.floor(next() * 4) },
          () => alphabet[Math.floor(next() * alphabet.length)],
        ).join('');
        record[key] = k;
      }
      const expected = `{${Object.keys(record)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${record[k]}`)
        .join(',')}}`;
      expect(canonicalJson(record)).toBe(expected);
    }
  });

  it('writes exactly the text JSON.stringify writes for sorted keys, escapes included', () => {
    const strings = [
      'plain: a-b/c+d@e.f_g',
      'quote " and \\ backslash',
      'tab\tnew\nline',
      '\u2028 separator',
      'æøå Ærlig',
      '\ud800 lone surrogate',
      'x'.repeat(65),
      '',
    ];
    const value = {
      z: strings,
      'a "key"': { y: 1.5e300, x: [true, null, -0, 3] },
      'm.n': undefined,
      b: 'enc:v1:0a1b:QUJD+/==',
    };
    const sortedCopy = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortedCopy)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sortedCopy((v as Record<string, unknown>)[k])]),
            )
          : v;
    expect(canonicalJson(value)).toBe(JSON.stringify(sortedCopy(value)));
    expect(canonicalJson('say "hi"')).toBe('"say \\"hi\\""');
  });

  it('writes the text of the piece-by-piece implementation it replaced, for any value (a differential test)', () => {
    const reference = (value: unknown): string => {
      const plain = /^[\w .:@+/-]*$/;
      const q = (s: string) => (s.length <= 64 && plain.test(s) ? `"${s}"` : JSON.stringify(s));
      if (typeof value === 'string') return q(value);
      if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
      if (Array.isArray(value))
        return `[${Array.from({ length: value.length }, (_, i) => reference(value[i])).join(',')}]`;
      const record = value as Record<string, unknown>;
      const parts = Object.keys(record)
        .sort()
        .filter((k) => record[k] !== undefined)
        .map((k) => `${q(k)}:${reference(record[k])}`);
      return `{${parts.join(',')}}`;
    };
    // A seeded generator: the same values every run.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const keyPool = [
      'b',
      'a',
      'z',
      'æ',
      'A',
      '-x',
      '$',
      '0',
      '1',
      '10',
      '9',
      '4294967295',
      '12345678901',
      '__proto__',
      'toJSON',
      'a"b',
      'contact.email',
      '',
    ];
    const gen = (depth: number): unknown => {
      const kind = depth > 3 ? pick(['s', 'n', 'l']) : pick(['s', 'n', 'l', 'o', 'o', 'a', 'u', 'd', 'f', 'c']);
      switch (kind) {
        case 's':
          return pick(['x', 'say "hi"', 'æøå', 'line\nbreak', '\ud800', 'k'.repeat(70), '']);
        case 'n':
          return pick([0, -0, 1.5, -3, 1e21, NaN, Infinity]);
        case 'l':
          return pick([true, false, null]);
        case 'u':
          return undefined;
        case 'd':
          return new Date(0);
        case 'f':
          return () => 1;
        case 'c':
          return new (class Point {
            x = 1;
            y = gen(depth + 1);
          })();
        case 'a': {
          const a: unknown[] = Array.from({ length: Math.floor(next() * 4) }, () => gen(depth + 1));
          if (next() < 0.1) a.length += 2;
          return a;
        }
        default: {
          const o: Record<string, unknown> = {};
          for (let i = Math.floor(next() * 5); i > 0; i -= 1)
            Object.defineProperty(o, pick(keyPool), {
              value: gen(depth + 1),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          return o;
        }
      }
    };
    for (let i = 0; i < 5000; i += 1) {
      const value = gen(0);
      expect(canonicalJson(value)).toBe(reference(value));
    }
    // And an object that is already canonical comes back as the very same text, unchanged.
    expect(canonicalJson({ a: [1, { b: null, c: 'd' }], e: 'f' })).toBe('{"a":[1,{"b":null,"c":"d"}],"e":"f"}');
  });

  it('verifies an untouched chain', () => {
    expect(verifyChain(chain(5))).toBeNull();
  });

  it('names the first event whose content was altered', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, data: { ...events[2]!.data, purpose: 'marketing' } };
    expect(verifyChain(events)).toEqual({ streamId: 'subject-1', revision: 2, problem: 'hash-mismatch' });
  });

  it('finds a removed event and a re-hashed one', () => {
    const events = chain(5);
    expect(verifyChain([...events.slice(0, 2), ...events.slice(3)])).toEqual({
      streamId: 'subject-1',
      revision: 3,
      problem: 'revision-gap',
    });
    const forged = { ...events[1]!, type: 'consent.given' };
    const rehashed = { ...forged, hash: eventHash('subject-1', 1, forged, forged.previousHash) };
    expect(verifyChain([events[0]!, rehashed, ...events.slice(2)])).toEqual({
      streamId: 'subject-1',
      revision: 2,
      problem: 'previous-hash-mismatch',
    });
  });
});
