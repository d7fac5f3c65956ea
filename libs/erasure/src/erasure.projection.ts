import { isSubjectStream, subjectIdOf } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import type { PoolClient } from '#ledger/postgres';
import type { Projection } from '#ledger/projections';

export interface Shredder {
  destroyKeys(keyIds: readonly string[]): Promise<void>;
  forget(subjectId: string): Promise<void>;
}

/**
 * The safety net of shredding: every `erasure.completed` on the feed destroys the keys it names
 * and forgets the subject's refs. The writer already did both right after its append; doing it
 * from the durable feed too means a crash between the two loses nothing. Both are idempotent,
 * so a replayed batch is harmless. It keeps no read model of its own, only its checkpoint.
 */
export class ErasureProjection implements Projection {
  readonly name = 'erasure-shredder';
  readonly migrations = [];

  constructor(private readonly shredder: Shredder) {}

  async apply(events: readonly StoredEvent[]): Promise<void> {
    for (const event of events) {
      if (event.type !== 'erasure.completed' || !isSubjectStream(event.streamId)) continue;
      const data = event.data as { scope: unknown; keyIds?: string[] };
      await this.shredder.destroyKeys(data.keyIds ?? []);
      if (data.scope === 'all') await this.shredder.forget(subjectIdOf(event.streamId));
    }
  }

  async reset(_client: PoolClient): Promise<void> {}
}
