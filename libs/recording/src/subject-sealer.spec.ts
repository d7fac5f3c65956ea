import { randomBytes } from 'node:crypto';
import type { LiveKey } from '#ledger/crypto';
import type { ErasureCompletedEvent, SubjectEvent } from '#ledger/domain';
import { sealSubjectEvents, type KeyNeed } from './subject-sealer';

const key = (keyId: string, category: string): LiveKey => ({
  keyId,
  kid: `kid-${keyId}`,
  category,
  key: randomBytes(32),
});
const collected = (fields: Record<string, string>): SubjectEvent => ({
  type: 'data.collected',
  data: {
    purpose: 'client-assignments',
    lawfulBasis: 'legitimate-interest',
    collectedFrom: 'subject',
    fields: Object.keys(fields),
  },
  personal: { values: fields },
});
const erasureOf = (categories: string[]): ErasureCompletedEvent => ({
  type: 'erasure.completed',
  data: { requestId: 'r1', scope: categories, reason: 'subject-request', categories, fields: [] },
  personal: {},
});

describe('sealSubjectEvents', () => {
  const stored = [key('work-old', 'work'), key('cont-old', 'contact')];
  const batchKeys: Record<string, LiveKey> = { 'work/0': key('work-0', 'work'), 'work/1': key('work-1', 'work') };
  const keyOf = (need: KeyNeed) => batchKeys[`${need.category}/${need.epoch}`]!;

  it('names beside an erasure the live keys of its categories and the batch keys made before it, not after', () => {
    const erasure = erasureOf(['work']);
    const { sealed, erasing } = sealSubjectEvents(
      's1',
      [[collected({ 'work.position': 'Before' })], [erasure], [collected({ 'work.position': 'After' })]],
      keyOf,
      stored,
    );
    expect(sealed.map((group) => group.map((s) => s.keyIds))).toEqual([[null], [['work-old', 'work-0']], [null]]);
    expect(erasing).toEqual({ categories: ['work'], keepKids: ['kid-work-1'] });
    expect(sealed[1]![0]!.event).toBe(erasure);
    expect(erasure.data).not.toHaveProperty('keyIds');
  });

  it('seals every personal value, keeping the events as decided', () => {
    const event = collected({ 'work.position': 'CFO' });
    const only = sealSubjectEvents('s1', [[event]], keyOf, []).sealed[0]![0]!;
    expect(only.event).toBe(event);
    expect((only.personal as { values: Record<string, string> }).values['work.position']).toMatch(
      /^enc:v3:kid-work-0:/,
    );
    expect(event.personal).toEqual({ values: { 'work.position': 'CFO' } });
  });

  it('erases nothing and stores no personal values for events without them', () => {
    const used: SubjectEvent = {
      type: 'data.used',
      data: { purpose: 'security', lawfulBasis: 'legitimate-interest', fields: [] },
      personal: {},
    };
    expect(sealSubjectEvents('s1', [[used]], keyOf, stored)).toEqual({
      sealed: [[{ event: used, personal: null, keyIds: null }]],
      erasing: null,
    });
  });
});
