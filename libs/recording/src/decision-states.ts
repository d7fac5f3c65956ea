import { RecentCache } from '#ledger/common';
import { openValue, toSubjectKeys, type Keyring } from '#ledger/crypto';
import { initialSubjectState, streamIdOf, type SubjectDecider, type SubjectDecisionState } from '#ledger/domain';
import { NO_STREAM, type EventStore, type StoredEvent, type StreamHead } from '#ledger/event-store';
import { erasedKeyIdsOf, fromStored } from './stored-subject-events';

/** What the writer knows of a subject before deciding for it. */
export interface Loaded {
  readonly state: SubjectDecisionState;
  readonly head: StreamHead;
  /**
   * Data keys the subject's erasures retired: never to seal with again, and destroyed if a crash
   * left them alive. A crypto fact, kept beside the decision state rather than in it.
   */
  readonly retiredKeyIds: readonly string[];
  /** Envelope id → fingerprint of the stream's envelopes, kept only for a store that is not globally idempotent. */
  readonly envelopes?: Map<string, string>;
}

const NONE: readonly string[] = [];

/** `ids` and then those of `added` it lacks: `ids` itself when it lacks none (most subjects). */
export const withIds = (ids: readonly string[], added: readonly string[]): readonly string[] => {
  const missing = added.filter((id) => !ids.includes(id));
  return missing.length === 0 ? ids : [...ids, ...new Set(missing)];
};

/**
 * Decision states of subjects, the most recently written kept in memory; the others are folded
 * from their streams, the sealed refs opened (the state needs them in clear to know a new ref).
 */
export class DecisionStates {
  private readonly cache: RecentCache<string, Loaded>;

  constructor(
    private readonly options: { store: EventStore; keyring: Keyring; decider: SubjectDecider; cacheSize: number },
  ) {
    this.cache = new RecentCache(options.cacheSize);
  }

  /** Forgets a subject another writer moved: its state and keys may have changed. */
  evict(subjectId: string): void {
    this.cache.delete(subjectId);
    this.options.keyring.evict(subjectId);
  }

  remember(subjectId: string, loaded: Loaded): void {
    this.cache.set(subjectId, loaded);
  }

  /** States and heads; `minted` are subjects known to be new (their refs claimed just now). */
  async load(subjectIds: Iterable<string>, minted: ReadonlySet<string> = new Set()): Promise<Map<string, Loaded>> {
    const loaded = new Map<string, Loaded>();
    const missing: string[] = [];
    for (const id of subjectIds) {
      const cached = this.cache.get(id);
      if (cached) loaded.set(id, cached);
      else if (minted.has(id)) loaded.set(id, this.newSubject());
      else missing.push(id);
    }
    if (missing.length === 0) return loaded;
    const streams = await this.options.store.readStreams(missing.map(streamIdOf));
    const linking = missing.filter((id) => streams.get(streamIdOf(id))?.some((e) => e.personal?.linkedRef));
    const keys = linking.length > 0 ? await this.options.keyring.liveKeys(linking) : new Map();
    for (const id of missing) {
      const subjectKeys = toSubjectKeys(keys.get(id) ?? []);
      const openRef = (sealed: string) => ({ linkedRef: openValue(id, sealed, subjectKeys, 'linkedRef') ?? undefined });
      loaded.set(id, this.fold(streams.get(streamIdOf(id)) ?? [], openRef));
    }
    return loaded;
  }

  private newSubject(): Loaded {
    const known = this.options.store.globallyIdempotent ? {} : { envelopes: new Map<string, string>() };
    return { state: initialSubjectState, head: NO_STREAM, retiredKeyIds: NONE, ...known };
  }

  private fold(events: readonly StoredEvent[], openRef: (sealed: string) => { linkedRef?: string }): Loaded {
    const evolve = this.options.decider.evolve;
    let state = initialSubjectState;
    let retiredKeyIds = NONE;
    for (const e of events) {
      const sealedRef = e.personal?.linkedRef as string | undefined;
      state = evolve(state, fromStored(e, sealedRef ? openRef(sealedRef) : undefined));
      if (e.type === 'erasure.completed') retiredKeyIds = withIds(retiredKeyIds, erasedKeyIdsOf(e));
    }
    const last = events[events.length - 1];
    const head = last ? { revision: last.revision, hash: last.hash } : NO_STREAM;
    if (this.options.store.globallyIdempotent) return { state, head, retiredKeyIds };
    return {
      state,
      head,
      retiredKeyIds,
      envelopes: new Map(events.map((e) => [e.meta.envelopeId, e.meta.envelopeHash])),
    };
  }
}
