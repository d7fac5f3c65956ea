import { kidsIn, type ErasedKeys } from '#ledger/crypto';
import { isSubjectStream, subjectIdOf } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import type { PoolClient } from '#ledger/postgres';
import type { Projection } from '#ledger/projections';

export interface Shredder {
  destroyKeys(keyIds: readonly string[]): Promise<void>;
  /** As Keyring.destroyLiveKeys: every live key of the erased categories, but those kept and those made later. */
  destroyLiveKeys(erasures: readonly ErasedKeys[]): Promise<string[]>;
  /** The subject's stream as it is now. */
  readStream(subjectId: string): Promise<readonly StoredEvent[]>;
  forget(subjectId: string): Promise<void>;
}

/**
 * The safety net of shredding: every `erasure.completed` on the feed destroys the keys it names
 * and every other live key of its categories, whichever instance made it, and forgets the
 * subject's refs. The writer already did both right after its append; doing it from the durable
 * feed too means a crash between the two loses nothing. Both are idempotent, so a replayed batch
 * is harmless. It keeps no read model of its own, only its checkpoint.
 */
export class ErasureProjection implements Projection {
  readonly name = 'erasure-shredder';
  readonly migrations = [];

  constructor(private readonly shredder: Shredder) {}

  async apply(events: readonly StoredEvent[]): Promise<void> {
    const named: string[] = [];
    const erasures: ErasedKeys[] = [];
    const forgotten: string[] = [];
    for (const event of events) {
      if (event.type !== 'erasure.completed' || !isSubjectStream(event.streamId)) continue;
      const subjectId = subjectIdOf(event.streamId);
      const data = event.data as { scope: unknown; categories: string[]; keyIds?: string[] };
      named.push(...(data.keyIds ?? []));
      if (data.scope === 'all') {
        // Nothing is recorded for an erased person after it: every key made before it goes.
        erasures.push({ subjectId, categories: null, madeBy: event.recordedAt });
        forgotten.push(subjectId);
        continue;
      }
      // Keys that seal a value recorded after a partial erasure stay, as do keys made after it was
      // recorded: a writer that saw the erasure made them for later values.
      const keepKids = new Set<string>();
      for (const later of await this.shredder.readStream(subjectId))
        if (later.revision > event.revision && later.personal) kidsIn(later.personal, keepKids);
      erasures.push({ subjectId, categories: data.categories, keepKids: [...keepKids], madeBy: event.recordedAt });
    }
    await this.shredder.destroyKeys(named);
    await this.shredder.destroyLiveKeys(erasures);
    for (const subjectId of forgotten) await this.shredder.forget(subjectId);
  }

  async reset(_client: PoolClient): Promise<void> {}
}
