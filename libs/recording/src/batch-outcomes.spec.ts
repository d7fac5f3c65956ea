import { RuleViolation, type InboundEnvelope } from '#ledger/domain';
import { BatchOutcomes } from './batch-outcomes';
import { BatchRejected, IdReusedError } from './errors';

const envelopes = ['a', 'b', 'a', 'c', 'c'].map((id) => ({ id }) as InboundEnvelope);

describe('BatchOutcomes', () => {
  it('lists every envelope in batch order, a repeat sharing the fate of its first occurrence', () => {
    const outcomes = new BatchOutcomes(envelopes, false);
    const broken = new RuleViolation('CONSENT_REQUIRED', 'no consent');
    outcomes.recorded(0, 's1');
    outcomes.duplicate(1, 's2');
    outcomes.repeat(2, 0);
    outcomes.reject(3, broken);
    outcomes.repeat(4, 3);
    expect(outcomes.list()).toEqual([
      { index: 0, id: 'a', status: 'recorded', subjectId: 's1' },
      { index: 1, id: 'b', status: 'duplicate', subjectId: 's2' },
      { index: 2, id: 'a', status: 'duplicate', subjectId: 's1' },
      { index: 3, id: 'c', status: 'rejected', error: broken },
      { index: 4, id: 'c', status: 'rejected', error: broken },
    ]);
  });

  it('rejects the whole batch at the first rejection when atomic', () => {
    const outcomes = new BatchOutcomes(envelopes, true);
    expect(() => outcomes.reject(1, new IdReusedError('b'))).toThrow(BatchRejected);
  });
});
