import type { DeadLetter } from '../kafka.port';
import { deadLetterChunks } from './kafkajs-source';

const letter = (offset: number, valueBytes: number): DeadLetter => ({
  message: { topic: 'in', partition: 0, offset: String(offset), key: null, value: null, headers: {} },
  code: 'VALIDATION',
  reason: 'data.fields: too many keys',
  key: 'hashed',
  value: 'v'.repeat(valueBytes),
  cutDown: '{"truncated":true}',
});

describe('dead letters as produce requests that fit the topic', () => {
  it('keeps letters whole while they fit, several to a request', () => {
    const chunks = deadLetterChunks([letter(1, 100), letter(2, 100), letter(3, 100)], 1_048_588);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.map((r) => r.value.length)).toEqual([100, 100, 100]);
    expect(chunks[0]![0]!.headers).toEqual({
      'error-code': 'VALIDATION',
      'error-message': 'data.fields: too many keys',
      'origin-topic': 'in',
      'origin-partition': '0',
      'origin-offset': '1',
    });
  });

  it('splits requests at the limit and cuts down a letter that alone does not fit, its code kept', () => {
    const chunks = deadLetterChunks([letter(1, 1500), letter(2, 1500), letter(3, 5000)], 4096);
    // The third, cut down, fits beside the other two.
    expect(chunks.map((c) => c.map((r) => r.headers['origin-offset']))).toEqual([['1', '2', '3']]);
    expect(chunks[0]![2]).toMatchObject({ value: '{"truncated":true}', headers: { 'error-code': 'VALIDATION' } });
    const apart = deadLetterChunks([letter(1, 2500), letter(2, 2500)], 4096);
    expect(apart.map((c) => c.map((r) => r.value.length))).toEqual([[2500], [2500]]);
  });

  it('sends every letter cut down, one to a request, once the broker refused one as too large', () => {
    const chunks = deadLetterChunks([letter(1, 100), letter(2, 100)], 1_048_588, true);
    expect(chunks.map((c) => c.map((r) => r.value))).toEqual([['{"truncated":true}'], ['{"truncated":true}']]);
  });
});
