import { LIMITS, inputLimitProblem } from './input-limits';
import { validateEnvelope } from './validate-envelope';

const valid = {
  id: '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10',
  type: 'data.collected',
  occurredAt: '2026-11-20T10:15:00Z',
  source: 'webcruiter',
  subject: { ref: 'webcruiter:candidate:4711' },
  data: { purpose: 'client-assignments', fields: { 'contact.email': 'ola@example.no' }, collectedFrom: 'processor' },
};
const used = (data: Record<string, unknown>) => ({
  ...valid,
  type: 'data.used',
  data: { purpose: 'client-assignments', ...data },
});

/** A value `levels` objects and arrays deep: `[[…["x"]…]]`. */
const nested = (levels: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
};

const details = (raw: unknown) => {
  const check = validateEnvelope(raw, 'events[0]');
  return 'details' in check ? check.details : [];
};
const fields = (n: number, value = 'x') =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`contact.f${i}`, value]));
const parse = (json: string) => JSON.parse(json) as object;

describe('inputLimitProblem (CONTRACT §5)', () => {
  it('passes the contract example', () => {
    expect(inputLimitProblem(valid)).toBeNull();
  });

  it(`passes ${LIMITS.depth} levels and refuses ${LIMITS.depth + 1}, counting the envelope as one`, () => {
    // The envelope and data are two levels; the arrays in description the rest.
    expect(inputLimitProblem(used({ description: nested(LIMITS.depth - 2) }))).toBeNull();
    expect(inputLimitProblem(used({ description: nested(LIMITS.depth - 1) }))).toEqual({
      path: `data.description${'[0]'.repeat(LIMITS.depth - 2)}`,
      message: 'JSON must not be nested deeper than 16 levels',
    });
  });

  it('refuses JSON nested thousands deep without exhausting the stack', () => {
    const deep = parse(`{"data":{"description":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
    expect(inputLimitProblem(deep)?.message).toBe('JSON must not be nested deeper than 16 levels');
    expect(details({ ...valid, data: (deep as { data: object }).data })).toEqual([
      {
        path: `events[0].data.description${'[0]'.repeat(LIMITS.depth - 2)}`,
        message: 'JSON must not be nested deeper than 16 levels',
      },
    ]);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses a key named %s anywhere, as JSON.parse gives it',
    (key) => {
      expect(inputLimitProblem(parse(`{"${key}":{"x":1}}`))).toEqual({
        path: key,
        message: `a key must not be named ${key}`,
      });
      const deep = parse(`{"data":{"fields":{"contact.email":"x"},"extra":[{"${key}":"y"}]}}`);
      expect(inputLimitProblem(deep)).toEqual({
        path: `data.extra[0].${key}`,
        message: `a key must not be named ${key}`,
      });
      expect(details({ ...valid, subject: parse(`{"ref":"a:b:c","${key}":{"id":"x"}}`) })).toEqual([
        { path: `events[0].subject.${key}`, message: `a key must not be named ${key}` },
      ]);
    },
  );

  it(`passes ${LIMITS.fieldKeys} keys in data.fields and refuses ${LIMITS.fieldKeys + 1}`, () => {
    expect(details({ ...valid, data: { ...valid.data, fields: fields(LIMITS.fieldKeys) } })).toEqual([]);
    expect(details({ ...valid, data: { ...valid.data, fields: fields(LIMITS.fieldKeys + 1) } })).toEqual([
      { path: 'events[0].data.fields', message: 'fields must have at most 200 keys' },
    ]);
  });

  it('passes a field value of 64 KiB and refuses one byte more, counting UTF-8 bytes', () => {
    const at = (value: string) => details({ ...valid, data: { ...valid.data, fields: { 'contact.note': value } } });
    expect(at('x'.repeat(64 * 1024))).toEqual([]);
    expect(at('x'.repeat(64 * 1024 + 1))).toEqual([
      { path: 'events[0].data.fields.contact.note', message: 'text must be at most 64 KiB' },
    ]);
    expect(at('ø'.repeat(32 * 1024))).toEqual([]); // two bytes each
    expect(at(`${'ø'.repeat(32 * 1024)}x`)).toHaveLength(1);
  });

  it('passes any other text of 4 KiB and refuses one byte more', () => {
    expect(details(used({ description: 'x'.repeat(4096) }))).toEqual([]);
    expect(details(used({ description: 'x'.repeat(4097) }))).toEqual([
      { path: 'events[0].data.description', message: 'text must be at most 4 KiB' },
    ]);
    expect(details(used({ description: '€'.repeat(1366) }))).toEqual([
      { path: 'events[0].data.description', message: 'text must be at most 4 KiB' },
    ]);
    // Only the values of data.fields may be longer: not the same text elsewhere in data.
    expect(inputLimitProblem({ data: { other: { fields: 'x'.repeat(5000) } } })?.message).toBe(
      'text must be at most 4 KiB',
    );
    expect(inputLimitProblem({ fields: { a: 'x'.repeat(5000) } })?.message).toBe('text must be at most 4 KiB');
    expect(inputLimitProblem({ [`k${'x'.repeat(4096)}`]: 1 })).toEqual({
      path: '*',
      message: 'a key: text must be at most 4 KiB',
    });
  });

  it(`passes an array of ${LIMITS.arrayItems} items and refuses ${LIMITS.arrayItems + 1}`, () => {
    const purposes = (n: number) => ({
      ...valid,
      type: 'objection.raised',
      data: { purposes: Array.from({ length: n }, () => 'marketing'), grounds: 'g' },
    });
    expect(details(purposes(LIMITS.arrayItems))).toEqual([]);
    expect(details(purposes(LIMITS.arrayItems + 1))).toEqual([
      { path: 'events[0].data.purposes', message: 'an array must have at most 100 items' },
    ]);
  });

  it('refuses NUL and lone surrogates in any text or key, and passes a surrogate pair', () => {
    expect(details(used({ description: 'a\u0000b' }))).toEqual([
      { path: 'events[0].data.description', message: 'text must not contain NUL characters' },
    ]);
    expect(details(used({ description: 'a\ud800b' }))).toEqual([
      { path: 'events[0].data.description', message: 'text must not contain a lone surrogate' },
    ]);
    expect(details(used({ description: 'a\udc00' }))).toHaveLength(1);
    expect(details({ ...valid, data: { ...valid.data, fields: { 'contact.name': 'Ola \ud83d\ude00' } } })).toEqual([]);
    expect(details({ ...valid, data: { ...valid.data, fields: { 'contact.name': 'Ola \ud83d' } } })).toEqual([
      { path: 'events[0].data.fields.contact.name', message: 'text must not contain a lone surrogate' },
    ]);
    expect(inputLimitProblem({ data: { 'a\u0000': 1 } })).toEqual({
      path: 'data.*',
      message: 'a key: text must not contain NUL characters',
    });
  });

  it('never quotes a value or a key that does not look like a name', () => {
    const text = JSON.stringify([
      inputLimitProblem({ 'ola@example.no': { description: 'secret\u0000' } }),
      inputLimitProblem({ 'ola nordmann': ['secret'.repeat(1000)] }),
    ]);
    expect(text).not.toMatch(/ola|secret/);
    expect(text).toContain('*');
  });
});

describe('subject refs (CONTRACT §5)', () => {
  const withRef = (ref: string) => ({ ...valid, subject: { ref } });

  it.each([
    ['a control character', 'webcruiter:candidate:47\u000111'],
    ['DEL', 'webcruiter:candidate:47\u007f11'],
    ['a C1 control', 'webcruiter:candidate:47\u008511'],
    ['a zero-width space', 'webcruiter:candidate:47\u200b11'],
    ['a zero-width joiner', 'webcruiter:candidate:47\u200d11'],
    ['a word joiner', 'webcruiter:candidate:47\u206011'],
    ['a byte order mark', 'webcruiter:candidate:47\ufeff11'],
    ['a left-to-right mark', 'webcruiter:candidate:47\u200e11'],
    ['a right-to-left mark', 'webcruiter:candidate:47\u200f11'],
    ['an Arabic letter mark', 'webcruiter:candidate:47\u061c11'],
    ['a right-to-left override', 'webcruiter:candidate:47\u202e11'],
    ['a first-strong isolate', 'webcruiter:candidate:47\u206811'],
    ['a pop directional isolate', 'webcruiter:candidate:47\u206911'],
  ])('refuses a ref with %s', (_, ref) => {
    expect(details(withRef(ref))).toEqual([
      {
        path: 'events[0].subject.ref',
        message: 'ref must not contain control, zero-width or bidirectional characters',
      },
    ]);
  });

  it('gives the ref in NFC, so that é precomposed and decomposed are the same person', () => {
    const decomposed = 'webcruiter:candidate:Rene\u0301';
    const raw = withRef(decomposed);
    const check = validateEnvelope(raw);
    expect('envelope' in check && check.envelope.subject.ref).toBe('webcruiter:candidate:Ren\u00e9');
    expect(raw.subject.ref).toBe(decomposed); // the input is left as it came
    const precomposed = validateEnvelope(withRef('webcruiter:candidate:Ren\u00e9'));
    expect('envelope' in precomposed && precomposed.envelope.subject.ref).toBe('webcruiter:candidate:Ren\u00e9');
  });

  it('passes letters of other scripts in a ref', () => {
    expect(details(withRef('webcruiter:candidate:Ærlig-Øyvind-Åse'))).toEqual([]);
    expect(details(withRef('webcruiter:candidate:محمد'))).toEqual([]);
  });
});

describe('validateEnvelope on arbitrary JSON', () => {
  /** A small deterministic generator, so that a failure names a seed that repeats it. */
  const random = (seed: number) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const KEYS = [
    'id',
    'type',
    'subject',
    'ref',
    'data',
    'fields',
    'purpose',
    'purposes',
    'scope',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'length',
    '0',
    '',
  ];
  const STRINGS = [
    '',
    'x',
    'a:b:c',
    'data.collected',
    'all',
    '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10',
    '\u0000',
    '\ud800',
    'e\u0301',
    'x'.repeat(5000),
  ];

  function value(next: () => number, depth: number): unknown {
    const r = next();
    // Fewer than one container per value on average, so the trees stay small; now and then a deep chain.
    if (r < 0.02) return nested(10 + Math.floor(next() * 10));
    if (depth > 20 || r < 0.6) return [null, true, 0, -1.5, ...STRINGS][Math.floor(next() * (STRINGS.length + 4))];
    if (r < 0.8) return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    const member = () =>
      `${JSON.stringify(KEYS[Math.floor(next() * KEYS.length)])}:${JSON.stringify(value(next, depth + 1)) ?? 'null'}`;
    const json = `{${Array.from({ length: Math.floor(next() * 5) }, member).join(',')}}`;
    return JSON.parse(json);
  }

  it('answers every value with an envelope or details and never throws', () => {
    const types = ['data.collected', 'data.used', 'objection.raised', 'erasure.requested', 'consent.given'];
    for (let seed = 1; seed <= 1000; seed += 1) {
      const next = random(seed);
      const shaped = { ...valid, type: types[seed % types.length], subject: value(next, 2), data: value(next, 2) };
      for (const raw of [value(next, 1), shaped]) {
        let check: ReturnType<typeof validateEnvelope> | undefined;
        expect(() => (check = validateEnvelope(raw))).not.toThrow();
        expect(check && ('envelope' in check || check.details.length > 0)).toBe(true);
      }
    }
  });
});
