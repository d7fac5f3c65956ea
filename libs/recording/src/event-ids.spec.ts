import { derivedEventId } from './event-ids';

describe('derivedEventId', () => {
  it('derives the same UUID as every earlier version did (a redelivered envelope meets its own ids)', () => {
    // Computed by the implementation of 2026-11-28.
    expect(derivedEventId('0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10', 1)).toBe('5fd90c0b-ad72-82c7-a791-0297e034a1df');
    expect(derivedEventId('0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10', 2)).not.toBe(
      derivedEventId('0b6f1c8e-3a55-4a1e-9a53-5c1d2f6f9b10', 1),
    );
  });
});
