import { Inject, Injectable } from '@nestjs/common';
import { BatchLoader } from '#ledger/common';
import { streamIdOf, subjectIdOf } from '#ledger/domain';
import type { EventStore } from '#ledger/event-store';
import { SubjectStateReader, type SubjectStateView } from '#ledger/projections';
import type { LedgerConfig } from '../config/ledger-config';
import { EVENT_STORE, LEDGER_CONFIG } from '../modules/tokens';

export type Freshness = 'current' | 'waited' | 'behind';

/** Each person's state as the read model shows it, once it shows what the store holds for them. */
@Injectable()
export class SubjectStates {
  // Concurrent reads ask the store for their subjects' last revisions in one statement.
  private readonly revisions: BatchLoader<string, number>;

  constructor(
    @Inject(SubjectStateReader) private readonly reader: SubjectStateReader,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.revisions = new BatchLoader((streamIds) => store.streamRevisions(streamIds));
  }

  /**
   * Read-your-writes, on the read: a write acknowledged a moment ago (here or on another instance)
   * that the read model has not reached yet is waited for, bounded by LEDGER_READ_YOUR_WRITES_MS;
   * `freshness` says whether it waited, and whether the bound ran out.
   */
  async current(subjectId: string): Promise<{ view: SubjectStateView | null; freshness: Freshness }> {
    // The stream's last revision comes with the row (events in the same database), or from the store.
    const combined = this.reader.tellsRevisions;
    const [{ view, revision: withRow }, fromStore] = await Promise.all([
      this.reader.read(subjectId),
      combined ? undefined : this.revisions.load(streamIdOf(subjectId)),
    ]);
    const revision = combined ? withRow : fromStore;
    const shows = (v: SubjectStateView | null) => revision === undefined || (v?.version ?? 0) > revision;
    if (shows(view)) return { view, freshness: 'current' };
    const until = Date.now() + this.config.LEDGER_READ_YOUR_WRITES_MS;
    let latest = view;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
      latest = await this.reader.get(subjectId);
      if (shows(latest)) return { view: latest, freshness: 'waited' };
    }
    return { view: latest, freshness: 'behind' };
  }

  /** The last revision of each of these subjects' streams, from the store (absent: no stream). */
  async revisionsOf(subjectIds: readonly string[]): Promise<Map<string, number>> {
    const revisions = await this.store.streamRevisions(subjectIds.map(streamIdOf));
    return new Map([...revisions].map(([streamId, revision]) => [subjectIdOf(streamId), revision]));
  }
}
