import { validateEnvelope } from '#ledger/envelope';
import { erasedPerson, heavyEnvelopes, personEnvelopes, refOf } from './envelopes';

describe('the scale benchmark envelopes', () => {
  const persons = Array.from({ length: 1000 }, (_, n) => personEnvelopes(n));

  it('are ten a person, for that person only, and each valid as HTTP and Kafka validate', () => {
    persons.forEach((list, n) => {
      expect(list).toHaveLength(10);
      for (const e of list) {
        expect(e.subject.ref).toBe(refOf(n));
        const check = validateEnvelope(JSON.parse(JSON.stringify(e)) as unknown);
        expect('details' in check ? check.details : []).toEqual([]);
      }
    });
  });

  it('mix types: consents, objections, withdrawals, requests, and erasure for one person in a hundred', () => {
    const types = new Map<string, number>();
    for (const e of persons.flat()) types.set(e.type as string, (types.get(e.type as string) ?? 0) + 1);
    expect([...types.keys()].sort()).toEqual([
      'consent.given',
      'consent.withdrawn',
      'data.collected',
      'data.corrected',
      'data.disclosed',
      'data.used',
      'erasure.requested',
      'objection.raised',
      'request.received',
    ]);
    expect(types.get('erasure.requested')).toBe(10);
    expect(persons.filter((_, n) => erasedPerson(n)).every((l) => l[9]!.type === 'erasure.requested')).toBe(true);
  });

  it('collect between one and six fields at a time, every count occurring', () => {
    const counts = new Set(
      persons
        .flat()
        .filter((e) => e.type === 'data.collected')
        .map((e) => Object.keys((e.data as { fields: object }).fields).length),
    );
    expect([...counts].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('give the heavy person as many envelopes as asked, each valid', () => {
    const heavy = [...heavyEnvelopes(0, 600), ...heavyEnvelopes(600, 400)];
    expect(heavy).toHaveLength(1000);
    expect(new Set(heavy.map((e) => e.subject.ref))).toEqual(new Set(['scale:candidate:heavy']));
    for (const e of heavy) expect('envelope' in validateEnvelope(JSON.parse(JSON.stringify(e)) as unknown)).toBe(true);
  });
});
