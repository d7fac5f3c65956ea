import { validateSync } from 'class-validator';
import { VALIDATOR_OPTIONS, passesValidation } from './class-validator-check';
import { DATA_DTO } from './data.dto';
import { EnvelopeDto, SubjectAddressDto } from './envelope.dto';

const UUID = '0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10';

/** A valid `data` of every envelope type. */
const DATA: Record<keyof typeof DATA_DTO, Record<string, unknown>> = {
  'data.collected': { purpose: 'client-assignments', fields: { 'contact.email': 'ola@example.no', 'work.position': 'CFO' }, collectedFrom: 'processor', lawfulBasis: 'consent' },
  'data.corrected': { fields: { 'contact.name': 'Ola' }, reason: 'typo' },
  'data.used': { purpose: 'client-assignments', fields: ['contact.email'], description: 'shortlist' },
  'data.disclosed': { recipient: 'Client AS', purpose: 'client-assignments', fields: ['contact.name'] },
  'consent.given': { purpose: 'talent-pool', policyVersion: '2026-01', channel: 'web', evidence: 'checkbox' },
  'consent.withdrawn': { purpose: 'talent-pool', channel: 'email' },
  'objection.raised': { purposes: ['talent-pool'], grounds: 'no longer looking' },
  'objection.resolved': { objectionId: UUID, outcome: 'upheld', reason: 'agreed' },
  'restriction.placed': { reason: 'disputed accuracy' },
  'restriction.lifted': { reason: 'resolved' },
  'legal-hold.placed': { reason: 'litigation', until: '2027-01-01T00:00:00Z' },
  'legal-hold.lifted': { reason: 'settled', holdId: UUID },
  'access.requested': { channel: 'email' },
  'erasure.requested': { scope: ['contact'], reason: 'subject-request' },
  'erasure.acknowledged': { system: 'webcruiter' },
};

const ENVELOPE = {
  id: UUID,
  type: 'data.collected',
  occurredAt: '2026-11-20T10:15:00Z',
  source: 'webcruiter',
  actor: 'recruiter:kari',
  subject: { ref: 'webcruiter:candidate:4711' },
  correlationId: UUID,
  causationId: UUID,
  data: {},
};

/** Values that break one rule or another, put in place of each field in turn. */
const WRONG: unknown[] = [undefined, null, '', ' ', 0, 1.5, true, [], [1], ['x', 2], {}, { a: 1 }, 'x'.repeat(10_001), 'not a uuid', 'UPPER', 'all', 'a.b', 'ok'];

function* variants(base: Record<string, unknown>): Generator<Record<string, unknown>> {
  yield base;
  yield { ...base, unknown: 1 };
  for (const key of Object.keys(base)) {
    const { [key]: _dropped, ...without } = base;
    yield without;
    for (const wrong of WRONG) yield { ...base, [key]: wrong };
  }
}

const instance = <T extends object>(cls: new () => T, raw: object): T => Object.assign(Object.create(cls.prototype) as T, raw);
const agrees = (object: object) => passesValidation(object) === (validateSync(object, VALIDATOR_OPTIONS).length === 0);

describe('passesValidation (class-validator without its per-call work)', () => {
  it('gives class-validator\'s answer for valid and broken data of every envelope type', () => {
    let passed = 0;
    let failed = 0;
    const disagreements: string[] = [];
    for (const [type, data] of Object.entries(DATA) as Array<[keyof typeof DATA_DTO, Record<string, unknown>]>) {
      const more = type === 'data.collected'
        ? [{ ...data, fields: { 'Contact.email': 'x' } }, { ...data, fields: { 'contact.email': 1 } }, { ...data, fields: { 'contact.email': 'x'.repeat(10_001) } }]
        : type === 'erasure.requested'
          ? [{ ...data, scope: 'all' }, { ...data, scope: [] }, { ...data, scope: ['Contact'] }]
          : [];
      for (const raw of [...variants(data), ...more]) {
        const object = instance(DATA_DTO[type] as new () => object, raw);
        const ok = validateSync(object, VALIDATOR_OPTIONS).length === 0;
        if (ok) passed += 1;
        else failed += 1;
        if (!agrees(object)) disagreements.push(`${type} ${JSON.stringify(raw).slice(0, 120)}`);
      }
    }
    expect(disagreements).toEqual([]);
    // Both answers were given many times: a check that always said no would fail above.
    expect(passed).toBeGreaterThan(40);
    expect(failed).toBeGreaterThan(400);
  });

  it('gives class-validator\'s answer for envelopes and their subject, nested or not', () => {
    const subjects: unknown[] = [
      { ref: 'webcruiter:candidate:4711' },
      { id: UUID },
      { id: UUID, ref: 'webcruiter:candidate:4711' },
      {},
      { ref: 'no-colons' },
      { id: 'nope' },
      { ref: 'webcruiter:candidate:4711', extra: true },
      { ref: null },
    ];
    const disagreements: string[] = [];
    let passed = 0;
    for (const raw of variants(ENVELOPE)) {
      for (const subject of subjects) {
        const copy: Record<string, unknown> = { ...raw, ...('subject' in raw && raw.subject === ENVELOPE.subject ? { subject } : {}) };
        if (copy.subject && typeof copy.subject === 'object' && !Array.isArray(copy.subject)) copy.subject = instance(SubjectAddressDto, copy.subject);
        const object = instance(EnvelopeDto, copy);
        if (validateSync(object, VALIDATOR_OPTIONS).length === 0) passed += 1;
        if (!agrees(object)) disagreements.push(JSON.stringify(copy).slice(0, 160));
      }
    }
    // A subject left as a plain object (not its DTO) is an unknown value to class-validator.
    const plain = instance(EnvelopeDto, { ...ENVELOPE, subject: { ref: 'webcruiter:candidate:4711' } });
    expect(passesValidation(plain)).toBe(false);
    expect(agrees(plain)).toBe(true);
    expect(disagreements).toEqual([]);
    expect(passed).toBeGreaterThan(10);
  });
});
