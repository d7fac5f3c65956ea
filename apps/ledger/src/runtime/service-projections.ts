import type { Keyring } from '#ledger/crypto';
import { ErasureProjection } from '#ledger/erasure';
import { CompositeProjection, SubjectStateProjection } from '#ledger/projections';
import type { SubjectDirectory } from '#ledger/recording';

/**
 * The read models one runner keeps, in one transaction per batch: each person's state, and the
 * shredding an erasure in the feed calls for (repeated from the feed after a crash).
 */
export function readModelProjection(inactivityMonths: number, keyring: Keyring, directory: SubjectDirectory): CompositeProjection {
  const shredder = { destroyKeys: (ids: readonly string[]) => keyring.destroyKeys(ids), forget: (id: string) => directory.forget(id) };
  return new CompositeProjection('subject-state', [new SubjectStateProjection(inactivityMonths), new ErasureProjection(shredder)]);
}
