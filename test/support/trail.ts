/**
 * Trail entries without `logIndex`, for comparing one trail read with another: the verifiable
 * log's projection fills each entry's index a moment after the write, whatever the test does.
 */
export const withoutLogIndex = <T extends { logIndex?: unknown }>(entries: readonly T[]): Omit<T, 'logIndex'>[] =>
  entries.map(({ logIndex: _, ...entry }) => entry);
