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
  it('gives one text per value whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }));
  });

  it('writes exactly the text JSON.stringify writes for sorted keys, escapes included', () => {
    const strings = ['plain: a-b/c+d@e.f_g', 'quote " and \\ backslash', 'tab\tnew\nline', '\u2028 separator', 'æøå Ærlig', '\ud800 lone surrogate', 'x'.repeat(65), ''];
    const value = { z: strings, 'a "key"': { y: 1.5e300, x: [true, null, -0, 3] }, 'm.n': undefined, b: 'enc:v1:0a1b:QUJD+/==' };
    const sortedCopy = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sortedCopy) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedCopy((v as Record<string, unknown>)[k])])) : v;
    expect(canonicalJson(value)).toBe(JSON.stringify(sortedCopy(value)));
    expect(canonicalJson('say "hi"')).toBe('"say \\"hi\\""');
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
    expect(verifyChain([...events.slice(0, 2), ...events.slice(3)])).toEqual({ streamId: 'subject-1', revision: 3, problem: 'revision-gap' });
    const forged = { ...events[1]!, type: 'consent.given' };
    const rehashed = { ...forged, hash: eventHash('subject-1', 1, forged, forged.previousHash) };
    expect(verifyChain([events[0]!, rehashed, ...events.slice(2)])).toEqual({
      streamId: 'subject-1',
      revision: 2,
      problem: 'previous-hash-mismatch',
    });
  });
});
