import { randomUUID } from 'node:crypto';
import { breathe, RecentCache } from '#ledger/common';
import { kidsIn, openValue, toSubjectKeys, type Keyring, type LiveKey, type NewKey } from '#ledger/crypto';
import {
  RuleViolation,
  initialSubjectState,
  streamIdOf,
  subjectIdOf,
  type InboundEnvelope,
  type Policy,
  type SubjectDecider,
  type SubjectDecisionState,
  type SubjectEvent,
  subjectDecider,
} from '#ledger/domain';
import {
  ConcurrencyError,
  NO_STREAM,
  canonicalJson,
  type Checkpoint,
  type EventStore,
  type NewEvent,
  type StoredEvent,
  type StreamAppend,
  type StreamHead,
} from '#ledger/event-store';
import { BatchRejected, IdReusedError, type EnvelopeError } from './errors';
import { derivedEventId } from './event-ids';
import { KeyedMutex } from './keyed-mutex';
import { keyNeedsOf, sealSubjectEvents, type KeyNeed } from './subject-sealer';
import type { SubjectDirectory } from './subject-directory/subject-directory';

export type EnvelopeOutcome =
  | { readonly index: number; readonly id: string; readonly status: 'recorded' | 'duplicate'; readonly subjectId: string }
  | { readonly index: number; readonly id: string; readonly status: 'rejected'; readonly error: EnvelopeError };

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
   * costs one stream read when it comes again. @defaultValue 10_000 (50,000 held 45 MB more at the
   * benchmark's HTTP part, 498-502 MB against 447-460, at the same rate)
   */
  readonly cacheSize?: number;
  /** Attempts when another writer moved a stream first. @defaultValue 50 */
  readonly maxAttempts?: number;
}

interface Loaded {
  state: SubjectDecisionState;
  head: StreamHead;
  /** Envelope id → fingerprint of the stream's envelopes, kept only for a store that is not globally idempotent. */
  envelopes?: Map<string, string>;
}

/**
 * Records envelopes: resolves subjects, loads their decision state, decides, and appends every
 * subject's new events in one store round trip. The same code serves HTTP (all or nothing) and
 * Kafka (each envelope on its own; the rejected go to the dead-letter topic).
 */
export class LedgerWriter {
  private readonly decider: SubjectDecider;
  private readonly clock: () => Date;
  private readonly cache: RecentCache<string, Loaded>;
  private readonly locks = new KeyedMutex();

  constructor(private readonly options: LedgerWriterOptions) {
    this.decider = subjectDecider(options.policy);
    this.clock = options.clock ?? (() => new Date());
    this.cache = new RecentCache(options.cacheSize ?? 10_000);
  }

  /**
   * @param atomic true: any rejected envelope rejects the batch (throws BatchRejected) and
   *   nothing is recorded; false: the others are recorded and the rejected are reported.
   */
  async record(envelopes: readonly InboundEnvelope[], { atomic }: { atomic: boolean }): Promise<RecordResult> {
    const maxAttempts = this.options.maxAttempts ?? 50;
    // Keys this call made, and the kids its append sealed with: a key made for an attempt that
    // then failed, and not reused by the one that succeeded, holds nothing.
    const created: NewKey[] = [];
    const used = new Set<string>();
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await this.attempt(envelopes, atomic, created, used);
        } catch (error) {
          if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
          for (const id of error.streamIds) {
            // Another writer moved the stream: its keys too may have changed (an erasure).
            this.cache.delete(subjectIdOf(id));
            this.options.keyring.evict(subjectIdOf(id));
          }
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 50)));
        }
      }
    } finally {
      const unused = created.filter((k) => !used.has(k.kid));
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

  /**
   * The keys every subject's new events need, settled before anything is sealed: first the
   * keys named by erasures already recorded but left alive (a crash before shredding) are
   * destroyed; then each category's current key, made if missing; then, for a subject the batch
   * erases, every live key read afresh (what its erasure names and destroys); then the keys of
   * values collected after an erasure in the batch, each retiring the key before it.
   */
  private async settleKeys(events: ReadonlyMap<string, SubjectEvent[]>, loaded: ReadonlyMap<string, Loaded>, minted: ReadonlySet<string>, created: NewKey[]) {
    const keyring = this.options.keyring;
    const needs = new Map([...events].map(([subjectId, e]) => [subjectId, keyNeedsOf(e)]));
    const withRetired = [...needs.keys()].filter((id) => !minted.has(id) && loaded.get(id)!.state.retiredKeyIds.length > 0);
    if (withRetired.length > 0) {
      const live = await keyring.liveKeys(withRetired);
      const leftovers = withRetired.flatMap((id) => live.get(id)!.filter((k) => loaded.get(id)!.state.retiredKeyIds.includes(k.keyId)).map((k) => k.keyId));
      if (leftovers.length > 0) await keyring.destroyKeys(leftovers);
    }
    const byEpoch = new Map<string, LiveKey>();
    const slot = (subjectId: string, category: string, epoch: number) => `${subjectId}/${category}/${epoch}`;
    const wanted = (epoch: number) =>
      [...needs].flatMap(([subjectId, n]) => n.filter((need) => need.epoch === epoch).map(({ category }) => ({ subjectId, category })));
    const settle = async (epoch: number, retire: string[] = []) => {
      const { keys, created: made } = await keyring.sealingKeys(wanted(epoch), { retire, minted });
      created.push(...made);
      for (const [at, key] of keys) byEpoch.set(`${at}/${epoch}`, key);
    };
    await settle(0);
    const erasing = [...events].filter(([, e]) => e.some((event) => event.type === 'erasure.completed')).map(([id]) => id);
    const atErasure = erasing.length > 0 ? await keyring.keysAtErasure(erasing) : null;
    const lastEpoch = Math.max(0, ...[...needs.values()].flatMap((n) => n.map((need) => need.epoch)));
    for (let epoch = 1; epoch <= lastEpoch; epoch += 1) {
      // The key before: the batch's latest for the category, else the one the store held.
      const retire = wanted(epoch).flatMap(({ subjectId, category }) => {
        let before: LiveKey | undefined;
        for (let e = epoch - 1; e >= 0 && !before; e -= 1) before = byEpoch.get(slot(subjectId, category, e));
        before ??= atErasure?.keys.get(subjectId)?.find((k) => k.category === category && !k.retired);
        return before ? [before.keyId] : [];
      });
      await settle(epoch, retire);
    }
    return {
      keyOf: (subjectId: string, need: KeyNeed) => byEpoch.get(slot(subjectId, need.category, need.epoch))!,
      atErasure: atErasure?.keys ?? new Map<string, LiveKey[]>(),
      asOf: atErasure?.asOf ?? null,
    };
  }

  private async attempt(envelopes: readonly InboundEnvelope[], atomic: boolean, created: NewKey[], used: Set<string>): Promise<RecordResult> {
    const outcomes: EnvelopeOutcome[] = new Array(envelopes.length);
    const reject = (index: number, error: EnvelopeError) => {
      if (atomic) throw new BatchRejected(index, error);
      outcomes[index] = { index, id: envelopes[index]!.id, status: 'rejected', error };
    };

    // 1. Idempotency: an id already recorded, or earlier in this batch, is a duplicate or a reuse.
    // A keyed fingerprint: a plain hash of an envelope would let anyone holding the id test guesses
    // of its personal values against the stored fingerprint.
    const hashes: string[] = [];
    for (const e of envelopes) {
      await breathe();
      hashes.push(this.options.keyring.mac('envelope', canonicalJson(e)));
    }
    const stored = new Map((await this.options.store.findEnvelopes(envelopes.map((e) => e.id))).map((s) => [s.envelopeId, s]));
    const firstInBatch = new Map<string, number>();
    const fresh: number[] = [];
    envelopes.forEach((envelope, index) => {
      const before = stored.get(envelope.id);
      const earlier = firstInBatch.get(envelope.id);
      if (before) {
        if (before.envelopeHash !== hashes[index]) return reject(index, new IdReusedError(envelope.id));
        outcomes[index] = { index, id: envelope.id, status: 'duplicate', subjectId: subjectIdOf(before.streamId) };
      } else if (earlier !== undefined) {
        if (hashes[earlier] !== hashes[index]) return reject(index, new IdReusedError(envelope.id));
        outcomes[index] = { index, id: envelope.id, status: 'duplicate', subjectId: '' };
      } else {
        firstInBatch.set(envelope.id, index);
        fresh.push(index);
      }
    });

    // 2. Subjects: by id as given, by ref through the directory (claiming new refs).
    const refs = fresh.map((i) => envelopes[i]!.subject.ref).filter((r): r is string => r !== undefined);
    // Ids minted here and claimed by this call are new persons: no stream and no keys to load.
    const minted = new Set<string>();
    const mint = () => {
      const id = randomUUID();
      minted.add(id);
      return id;
    };
    const byRef = refs.length > 0 ? await this.options.directory.resolve(refs, mint) : new Map<string, string>();
    const subjectOf = (i: number) => envelopes[i]!.subject.id ?? byRef.get(envelopes[i]!.subject.ref!)!;

    const release = await this.locks.lockAll(fresh.map(subjectOf));
    try {
      const loaded = await this.load(new Set(fresh.map(subjectOf)), minted);
      // A ref still pointing at an erased subject (a forget cut short by a crash) starts anew.
      for (const i of fresh) {
        const ref = envelopes[i]!.subject.ref;
        const subjectId = subjectOf(i);
        if (ref !== undefined && loaded.get(subjectId)!.state.erased) {
          const next = await this.options.directory.reassign(ref, subjectId, randomUUID());
          byRef.set(ref, next);
          if (!loaded.has(next)) loaded.set(next, (await this.load(new Set([next]))).get(next)!);
        }
      }

      // A store whose envelope index may lag (KurrentDB): the subject's own stream has the final word.
      if (!this.options.store.globallyIdempotent) {
        for (const i of [...fresh]) {
          const seen = loaded.get(subjectOf(i))!.envelopes?.get(envelopes[i]!.id);
          if (seen === undefined) continue;
          fresh.splice(fresh.indexOf(i), 1);
          if (seen !== hashes[i]) reject(i, new IdReusedError(envelopes[i]!.id));
          else outcomes[i] = { index: i, id: envelopes[i]!.id, status: 'duplicate', subjectId: subjectOf(i) };
        }
      }

      // 3. Decide, in batch order, each envelope against its subject's state so far.
      const recordedAt = this.clock().toISOString();
      const pending = new Map<string, { state: SubjectDecisionState; decided: Array<{ index: number; events: SubjectEvent[] }> }>();
      for (const i of fresh) {
        await breathe();
        const envelope = envelopes[i]!;
        const subjectId = subjectOf(i);
        const current = pending.get(subjectId) ?? { state: loaded.get(subjectId)!.state, decided: [] };
        let decided: SubjectEvent[];
        try {
          const ref = envelope.subject.ref;
          decided = this.decider.decide(ref === undefined ? { envelope, recordedAt } : { envelope, recordedAt, ref }, current.state);
        } catch (error) {
          if (!(error instanceof RuleViolation)) throw error;
          reject(i, error);
          continue;
        }
        pending.set(subjectId, { state: decided.reduce(this.decider.evolve, current.state), decided: [...current.decided, { index: i, events: decided }] });
        outcomes[i] = { index: i, id: envelope.id, status: 'recorded', subjectId };
      }

      // 4. Settle every key the batch needs, then seal every personal value before it reaches the store.
      const all = new Map([...pending].map(([subjectId, p]) => [subjectId, p.decided.flatMap((d) => d.events)]));
      const keys = await this.settleKeys(all, loaded, minted, created);
      const appends: StreamAppend[] = [];
      const finalStates = new Map<string, SubjectDecisionState>();
      const erasing = new Map<string, NonNullable<ReturnType<typeof sealSubjectEvents>['erasing']>>();
      const appendedKids = new Set<string>();
      for (const [subjectId, p] of pending) {
        await breathe();
        const before = loaded.get(subjectId)!;
        const sealed = sealSubjectEvents(subjectId, all.get(subjectId)!, (need) => keys.keyOf(subjectId, need), keys.atErasure.get(subjectId) ?? []);
        if (sealed.erasing) erasing.set(subjectId, sealed.erasing);
        finalStates.set(subjectId, sealed.plain.reduce(this.decider.evolve, before.state));
        let offset = 0;
        const events = p.decided.flatMap(({ index, events: decided }) =>
          this.toNewEvents(envelopes[index]!, hashes[index]!, sealed.sealed.slice(offset, (offset += decided.length)), recordedAt),
        );
        for (const e of events) if (e.personal) kidsIn(e.personal, appendedKids);
        appends.push({ streamId: streamIdOf(subjectId), expected: before.head, events });
      }

      // 5. One append for every subject; the store refuses it if any stream moved meanwhile.
      const result = appends.length > 0 ? await this.options.store.append(appends) : null;
      const erasedSubjectIds: string[] = [];
      if (result) {
        appendedKids.forEach((kid) => used.add(kid));
        const last = new Map<string, StoredEvent>();
        for (const event of result.events) last.set(subjectIdOf(event.streamId), event);
        for (const [subjectId, state] of finalStates) {
          const head = last.get(subjectId)!;
          const envelopesSeen = loaded.get(subjectId)!.envelopes;
          if (envelopesSeen) for (const d of pending.get(subjectId)!.decided) envelopesSeen.set(envelopes[d.index]!.id, hashes[d.index]!);
          this.cache.set(subjectId, { state, head: { revision: head.revision, hash: head.hash }, ...(envelopesSeen ? { envelopes: envelopesSeen } : {}) });
          if (state.erased && !loaded.get(subjectId)!.state.erased) erasedSubjectIds.push(subjectId);
        }
        // Durable now: shred every live key of the erased categories, whichever instance made it,
        // up to the read the erasure named its keys from. (The erasure projection repeats this
        // from the feed after a crash.)
        await this.options.keyring.destroyLiveKeys([...erasing].map(([subjectId, e]) => ({ subjectId, ...e, madeBy: keys.asOf! })));
        for (const subjectId of erasedSubjectIds) await this.options.directory.forget(subjectId);
      }
      for (const outcome of outcomes) {
        if (outcome.status === 'duplicate' && outcome.subjectId === '') {
          const first = outcomes[firstInBatch.get(outcome.id)!]!;
          outcomes[outcome.index] = first.status === 'rejected' ? { ...first, index: outcome.index } : { ...outcome, subjectId: first.subjectId };
        }
      }
      return { outcomes, checkpoint: result?.checkpoint ?? null, erasedSubjectIds };
    } finally {
      release();
    }
  }

  private toNewEvents(envelope: InboundEnvelope, hash: string, events: SubjectEvent[], recordedAt: string): NewEvent[] {
    // The event of the envelope's own type carries the envelope's id (the idempotency key);
    // the others get ids derived from it.
    const primary = events.findIndex((e) => e.type === envelope.type);
    const correlationId = envelope.correlationId ?? envelope.id;
    return events.map((event, n) => {
      const eventId = n === primary ? envelope.id : derivedEventId(envelope.id, n);
      // Keys in sorted order: the event's hash sorts them otherwise, for every event. Two literals,
      // not a conditional spread of `actor`: V8 builds a spread followed by more properties one
      // transition at a time, and this runs for every event (docs/benchmark.md).
      const causationId = n === primary ? (envelope.causationId ?? envelope.id) : envelope.id;
      const { id: envelopeId, occurredAt, source, actor } = envelope;
      const meta =
        actor === undefined
          ? { causationId, correlationId, envelopeHash: hash, envelopeId, occurredAt, source }
          : { actor, causationId, correlationId, envelopeHash: hash, envelopeId, occurredAt, source };
      const personal = Object.keys(event.personal).length > 0 ? event.personal : null;
      return { eventId, type: event.type, data: event.data, personal, meta, recordedAt };
    });
  }

  /** Decision states and heads; `minted` are subjects known to be new (their refs claimed just now). */
  private async load(subjectIds: Set<string>, minted: ReadonlySet<string> = new Set()): Promise<Map<string, Loaded>> {
    const loaded = new Map<string, Loaded>();
    const missing: string[] = [];
    for (const id of subjectIds) {
      const cached = this.cache.get(id);
      if (cached) loaded.set(id, cached);
      else if (minted.has(id)) loaded.set(id, { state: initialSubjectState, head: NO_STREAM, ...(this.options.store.globallyIdempotent ? {} : { envelopes: new Map() }) });
      else missing.push(id);
    }
    if (missing.length === 0) return loaded;
    const streams = await this.options.store.readStreams(missing.map(streamIdOf));
    // The decision state needs the refs in clear (to know when a ref is new): open just those.
    const linking = missing.filter((id) => streams.get(streamIdOf(id))?.some((e) => e.personal?.linkedRef));
    const keys = linking.length > 0 ? await this.options.keyring.liveKeys(linking) : new Map();
    for (const id of missing) {
      const events = streams.get(streamIdOf(id)) ?? [];
      const subjectKeys = toSubjectKeys(keys.get(id) ?? []);
      const state = events.reduce((s, e) => {
        const sealedRef = e.personal?.linkedRef as string | undefined;
        const event = (sealedRef ? { ...e, personal: { linkedRef: openValue(id, sealedRef, subjectKeys, 'linkedRef') ?? undefined } } : e) as unknown as SubjectEvent;
        return this.decider.evolve(s, event);
      }, initialSubjectState);
      const last = events[events.length - 1];
      const head = last ? { revision: last.revision, hash: last.hash } : NO_STREAM;
      if (this.options.store.globallyIdempotent) loaded.set(id, { state, head });
      else loaded.set(id, { state, head, envelopes: new Map(events.map((e) => [e.meta.envelopeId, e.meta.envelopeHash])) });
    }
    return loaded;
  }
}
