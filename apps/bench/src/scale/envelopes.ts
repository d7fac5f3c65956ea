import { randomUUID } from 'node:crypto';

/**
 * Realistic envelopes for the scale benchmark: about ten a person, of mixed types, as the firm's
 * systems send them over a candidate's life. Deterministic per person number (only ids are
 * random), so the benchmark knows which refs exist and which persons are erased.
 */
export type Envelope = Record<string, unknown> & { subject: { ref: string } };

const SOURCES = ['webcruiter', 'visma-easycruit', 'invenias', 'assessio', 'web-form', 'customer-service'];
const FIELD_POOL = [
  'contact.email',
  'contact.name',
  'contact.phone',
  'contact.address',
  'work.position',
  'work.employer',
  'education.degree',
  'preferences.roles',
  'documents.cv',
];

/** A person's number to their upstream ref. */
export const refOf = (n: number, tag = 'p'): string => `scale:candidate:${tag}${n}`;

/** One person in a hundred asks for erasure at the end of their life in the benchmark. */
export const erasedPerson = (n: number): boolean => n % 100 === 37;

const value = (key: string, n: number): string =>
  key === 'documents.cv'
    ? `CV of candidate ${n}: ${'experience in leadership, finance and operations; '.repeat(6)}`
    : key === 'contact.email'
      ? `candidate${n}@example.no`
      : `${key.split('.')[1]} of candidate ${n}`;

/** 1–6 fields of the categories every purpose below holds. */
function fields(n: number, salt: number, pool = FIELD_POOL): Record<string, string> {
  const count = Math.min(pool.length, 1 + ((n * 7 + salt) % 6));
  const out: Record<string, string> = {};
  for (let k = 0; k < count; k += 1) {
    const key = pool[(n * 5 + salt + k) % pool.length]!;
    out[key] = value(key, n);
  }
  return out;
}

const at = (n: number, step: number): string => {
  // Within this year, so no one is past the five-year retention when the benchmark runs.
  const ms = Date.UTC(2026, 0, 5) + ((n * 9973) % 280) * 86_400_000 + step * 3_600_000;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
};

function base(n: number, step: number, type: string, data: Record<string, unknown>, tag: string): Envelope {
  return {
    id: randomUUID(),
    type,
    occurredAt: at(n, step),
    source: SOURCES[(n + step) % SOURCES.length]!,
    actor: `recruiter:r${n % 40}`,
    subject: { ref: refOf(n, tag) },
    data,
  };
}

/** The ninth event: an objection, a withdrawal, a request, or one more collection. */
function ninth(n: number, tag: string): Envelope {
  if (n % 10 === 3)
    return base(n, 9, 'objection.raised', { purposes: ['customer-service'], grounds: 'I do not want calls' }, tag);
  if (n % 20 === 5) return base(n, 9, 'consent.withdrawn', { purpose: 'marketing', channel: 'e-mail' }, tag);
  if (n % 25 === 7) return base(n, 9, 'request.received', { kind: 'access', channel: 'e-mail' }, tag);
  const result = { 'assessment.result': `Assessio profile ${n}: ${'trait score; '.repeat(8)}` };
  return base(
    n,
    9,
    'data.collected',
    { purpose: 'client-assignments', fields: result, collectedFrom: 'processor' },
    tag,
  );
}

/** Person `n`'s envelopes, in the order their systems send them. */
export function personEnvelopes(n: number, tag = 'p'): Envelope[] {
  const first = fields(n, 0);
  const e = (step: number, type: string, data: Record<string, unknown>) => base(n, step, type, data, tag);
  const list = [
    e(1, 'data.collected', { purpose: 'client-assignments', fields: first, collectedFrom: 'processor' }),
    e(2, 'consent.given', { purpose: 'candidate-relationship', policyVersion: '2018-05', channel: 'web-form' }),
    e(3, 'data.collected', {
      purpose: 'candidate-relationship',
      fields: fields(n, 1, ['preferences.roles', 'documents.cv', 'work.position', 'education.degree']),
      collectedFrom: 'subject',
    }),
    e(4, 'consent.given', { purpose: 'marketing', policyVersion: '2018-05', channel: 'web-form' }),
    e(5, 'data.used', { purpose: 'client-assignments', description: 'shortlist' }),
    e(6, 'data.corrected', { fields: { 'contact.phone': `+47 9${String(n).padStart(7, '0')}` } }),
    e(7, 'data.disclosed', {
      recipient: `client-${n % 50}`,
      purpose: 'client-assignments',
      fields: Object.keys(first),
    }),
    e(8, 'data.used', { purpose: 'candidate-relationship' }),
    ninth(n, tag),
  ];
  list.push(
    erasedPerson(n)
      ? e(10, 'erasure.requested', { scope: 'all', reason: 'subject-request' })
      : e(10, 'data.used', { purpose: 'client-assignments', fields: Object.keys(first).slice(0, 1) }),
  );
  return list;
}

/** The heavy person's `count` envelopes, from their `from`-th on: collections and uses, alternating. */
export function heavyEnvelopes(from: number, count: number): Envelope[] {
  const out: Envelope[] = [];
  for (let i = from; i < from + count; i += 1) {
    const data =
      i % 2 === 0
        ? { purpose: 'client-assignments', fields: fields(i, 0), collectedFrom: 'processor' }
        : { purpose: 'client-assignments', description: `assignment ${i}` };
    out.push({
      id: randomUUID(),
      type: i % 2 === 0 ? 'data.collected' : 'data.used',
      occurredAt: new Date(Date.UTC(2026, 0, 2) + i * 60_000).toISOString(),
      source: 'invenias',
      subject: { ref: 'scale:candidate:heavy' },
      data,
    });
  }
  return out;
}
