import { ConcurrencyError, eventHash, NO_STREAM, StoreUnavailableError, verifyChain } from '#ledger/event-store';
import { newEvent } from '../../event-store/src/testing/event-store.contract';
import { compareCheckpoints, fromRecord, streamStateOf, toRecord, toStoreError } from './kurrentdb-mapping';

describe('the KurrentDB adapter mapping', () => {
  it('maps the expected head to streamState: NO_STREAM first, then the revision', () => {
    expect(streamStateOf(NO_STREAM)).toBe('no_stream');
    expect(streamStateOf({ revision: 0, hash: 'h' })).toBe(0n);
    expect(streamStateOf({ revision: 41, hash: 'h' })).toBe(41n);
  });

  it('round-trips an event, personal part apart, hash chain intact', () => {
    const first = newEvent();
    const second = newEvent('consent.given');
    const h0 = eventHash('subject-1', 0, first, null);
    const h1 = eventHash('subject-1', 1, second, h0);
    const records = [toRecord(first, h0, null), toRecord(second, h1, h0)].map((r, i) => ({
      ...r,
      streamId: 'subject-1',
      revision: BigInt(i),
      position: { commit: 1000n + BigInt(i), prepare: 1000n + BigInt(i) },
    }));
    expect(records[0]!.data).toEqual({ data: first.data, personal: first.personal });
    expect(records[0]!.id).toBe(first.eventId);
    const stored = records.map(fromRecord);
    expect(stored[1]).toMatchObject({
      streamId: 'subject-1',
      revision: 1,
      eventId: second.eventId,
      type: 'consent.given',
      previousHash: h0,
      checkpoint: '1001',
    });
    expect(stored[1]!.meta).toEqual(second.meta);
    expect(verifyChain(stored)).toBeNull();
  });

  it('orders checkpoints by commit position, null first', () => {
    expect(compareCheckpoints(null, '0')).toBeLessThan(0);
    expect(compareCheckpoints('1001', '999')).toBeGreaterThan(0);
    expect(compareCheckpoints('12', '12')).toBe(0);
  });

  it("turns the client's errors into the ledger's", () => {
    const wrong = Object.assign(new Error('x'), { type: 'wrong-expected-version' });
    expect(toStoreError(wrong, ['subject-1'])).toBeInstanceOf(ConcurrencyError);
    expect((toStoreError(wrong, ['subject-1']) as ConcurrencyError).streamIds).toEqual(['subject-1']);
    expect(toStoreError(Object.assign(new Error('x'), { type: 'unavailable' }), [])).toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(toStoreError(Object.assign(new Error('x'), { type: 'not-leader' }), [])).toBeInstanceOf(
      StoreUnavailableError,
    );
    const bug = new TypeError('bug');
    expect(toStoreError(bug, [])).toBe(bug);
  });
});
