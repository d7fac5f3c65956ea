import { kidsIn, type Keyring, type NewKey } from '#ledger/crypto';
import {
  streamIdOf,
  subjectIdOf,
  type InboundEnvelope,
  type Policy,
  type SubjectDecider,
  subjectDecider,
} from '#ledger/domain';
import { ConcurrencyError, type AppendResult, type Checkpoint, type EventStore } from '#ledger/event-store';
import { decideBatch, type SubjectDecisions } from './batch-decisions';
import { BatchOutcomes, type EnvelopeOutcome } from './batch-outcomes';
import { sealBatch, type SealedBatch } from './batch-sealing';
import { DecisionStates, withIds } from './decision-states';
import { dedupeEnvelopes } from './envelope-dedupe';
import { settleKeys } from './key-settlement';
import { KeyedMutex } from './keyed-mutex';
import { dropSeenInStreams, resolveSubjects, startErasedRefsAnew } from './subject-resolution';
import type { SubjectDirectory } from './subject-directory/subject-directory';

export type { EnvelopeOutcome } from './batch-outcomes';

export interface RecordResult {
  readonly outcomes: readonly EnvelopeOutcome[];
  /** Where the append ended in the global feed; null when nothing new was written. */
  readonly checkpoint: Checkpoint | null;
  /** Subjects erased by this batch (their refs are forgotten, their keys destroyed). */
  readonly erasedSubjectIds: readonly string[];
}

export interface LedgerWriterOptions {
  readonly store: EventStore;
  readonly directory: SubjectDirectory;
  readonly keyring: Keyring;
  readonly policy: Policy;
  /** @defaultValue () => new Date() */
  readonly clock?: () => Date;
  /**
   * Decision states kept in memory, the most recently written: about 1 KB each. A subject not kept
   * costs one stream read when it comes again. @defaultValue 10_000
   */
  readonly cacheSize?: number;
  /** Attempts when another writer moved a stream first. @defaultValue 50 */
  readonly maxAttempts?: number;
}

/** Keys one `record` call made, and the kids its successful append sealed with. */
interface KeyUse {
  readonly created: NewKey[];
  readonly used: Set<string>;
}

/**
 * Records envelopes as a pipeline: dedupe → resolve subjects → decide → settle keys and seal →
 * append (every subject in one store round trip) → shred and forget. The same code serves HTTP
 * (all or nothing) and Kafka (each envelope on its own; the rejected go to the dead-letter topic).
 */
export class LedgerWriter {
  private readonly decider: SubjectDecider;
  private readonly clock: () => Date;
  private readonly states: DecisionStates;
  private readonly locks = new KeyedMutex();

  constructor(private readonly options: LedgerWriterOptions) {
    this.decider = subjectDecider(options.policy);
    this.clock = options.clock ?? (() => new Date());
    const { store, keyring } = options;
    this.states = new DecisionStates({ store, keyring, decider: this.decider, cacheSize: options.cacheSize ?? 10_000 });
  }

  /**
   * @param atomic true: any rejected envelope rejects the batch (throws BatchRejected) and
   *   nothing is recorded; false: the others are recorded and the rejected are reported.
   */
  async record(envelopes: readonly InboundEnvelope[], { atomic }: { atomic: boolean }): Promise<RecordResult> {
    const maxAttempts = this.options.maxAttempts ?? 50;
    // A key made for an attempt that then failed, and not reused by the one that succeeded, holds nothing.
    const keyUse: KeyUse = { created: [], used: new Set() };
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await this.attempt(envelopes, atomic, keyUse);
        } catch (error) {
          if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
          for (const id of error.streamIds) this.states.evict(subjectIdOf(id));
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 50)));
        }
      }
    } finally {
      const unused = keyUse.created.filter((k) => !keyUse.used.has(k.kid));
      if (unused.length > 0) await this.removeUnusedKeys(unused);
    }
  }

  /**
   * Removes keys no append of this call sealed with, unless the subject's stream names them now:
   * another writer that lost the race for the same slot may have sealed its own append with one.
   * Best effort: a key left behind holds nothing, and its person's erasure destroys it.
   */
  private async removeUnusedKeys(unused: readonly NewKey[]): Promise<void> {
    try {
      const streams = await this.options.store.readStreams([...new Set(unused.map((k) => streamIdOf(k.subjectId)))]);
      const named = new Set<string>();
      for (const events of streams.values()) for (const e of events) if (e.personal) kidsIn(e.personal, named);
      await this.options.keyring.removeUnused(unused, named);
    } catch {
      // The failure that brought us here (an outage, say) is the one to report.
    }
  }

  private async attempt(envelopes: readonly InboundEnvelope[], atomic: boolean, keyUse: KeyUse): Promise<RecordResult> {
    const { store, keyring, directory } = this.options;
    const outcomes = new BatchOutcomes(envelopes, atomic);
    const fresh = await dedupeEnvelopes(envelopes, { keyring, store }, outcomes);
    const { addressed, minted } = await resolveSubjects(fresh, directory);
    const release = await this.locks.lockAll(addressed.map((a) => a.subjectId));
    try {
      const loaded = await this.states.load(new Set(addressed.map((a) => a.subjectId)), minted);
      const current = await startErasedRefsAnew(addressed, loaded, { directory, states: this.states });
      const unseen = dropSeenInStreams(current, loaded, store, outcomes);
      const recordedAt = this.clock().toISOString();
      const subjects = await decideBatch(unseen, loaded, { decider: this.decider, recordedAt }, outcomes);
      const keys = await settleKeys(keyring, subjects, { minted, created: keyUse.created });
      const sealed = await sealBatch(subjects, keys, recordedAt);
      // One append for every subject; the store refuses it if any stream moved meanwhile.
      const result = sealed.appends.length > 0 ? await store.append(sealed.appends) : null;
      if (!result) return { outcomes: outcomes.list(), checkpoint: null, erasedSubjectIds: [] };
      sealed.kids.forEach((kid) => keyUse.used.add(kid));
      const erasedSubjectIds = this.remember(subjects, sealed, result);
      await this.shredAndForget(sealed, erasedSubjectIds);
      return { outcomes: outcomes.list(), checkpoint: result.checkpoint, erasedSubjectIds };
    } finally {
      release();
    }
  }

  /** Keeps each subject's state as decided, at its new head; answers the subjects the batch erased. */
  private remember(subjects: readonly SubjectDecisions[], sealed: SealedBatch, result: AppendResult): string[] {
    const heads = new Map(result.events.map((e) => [subjectIdOf(e.streamId), { revision: e.revision, hash: e.hash }]));
    const erased: string[] = [];
    for (const { subjectId, before, after, decisions } of subjects) {
      const envelopes = before.envelopes;
      if (envelopes) for (const { item } of decisions) envelopes.set(item.envelope.id, item.hash);
      const retiredKeyIds = withIds(before.retiredKeyIds, sealed.retired.get(subjectId) ?? []);
      const head = heads.get(subjectId)!;
      this.states.remember(subjectId, { state: after, head, retiredKeyIds, ...(envelopes ? { envelopes } : {}) });
      if (after.erased && !before.state.erased) erased.push(subjectId);
    }
    return erased;
  }

  /**
   * Durable now: shreds every live key of the erased categories, whichever instance made it, up to
   * the read the erasure named its keys from (the erasure projection repeats this from the feed
   * after a crash); then forgets the refs of the subjects erased whole.
   */
  private async shredAndForget(sealed: SealedBatch, erasedSubjectIds: readonly string[]): Promise<void> {
    await this.options.keyring.destroyLiveKeys(sealed.shred);
    for (const subjectId of erasedSubjectIds) await this.options.directory.forget(subjectId);
  }
}
