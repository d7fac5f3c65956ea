/**
 * The event store port. Adapters (PostgreSQL here; KurrentDB next) own their drivers and pass
 * the same contract suite (`testing/event-store.contract.ts`).
 */

/** Metadata kept clear beside every event: who, where from, why, and how it relates to others. */
export interface EventMeta {
  /** The inbound envelope this event was decided from (its `id`). */
  readonly envelopeId: string;
  /** Hash of the canonical envelope, so the same id with other content is told from a replay. */
  readonly envelopeHash: string;
  readonly occurredAt: string;
  readonly source: string;
  readonly actor?: string;
  readonly correlationId: string;
  readonly causationId: string;
}

/** An event about to be appended. `personal` holds every personal value, apart from `data`. */
export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly personal: Readonly<Record<string, unknown>> | null;
  readonly meta: EventMeta;
  readonly recordedAt: string;
}

/**
 * Where a reader of the global feed stands. Opaque to callers: only the adapter that issued it
 * compares it (`EventStore.compare`). `null` is "before the first event".
 */
export type Checkpoint = string;

export interface StoredEvent extends NewEvent {
  readonly streamId: string;
  /** 0 for a stream's first event; gapless. */
  readonly revision: number;
  readonly checkpoint: Checkpoint;
  /** sha256 over the canonical event and `previousHash`: the per-stream hash chain. */
  readonly hash: string;
  readonly previousHash: string | null;
}

/** An event's place in the feed and its hash, without its content: what a follower that only names events needs. */
export type FeedHead = Pick<StoredEvent, 'eventId' | 'hash' | 'checkpoint'>;

/**
 * A stored event, written as one object literal: V8 builds `{ ...event, streamId, revision, … }`
 * one transition at a time, many times slower than a literal, and the stores make one for every
 * event appended.
 */
export const storedEvent = (
  event: NewEvent,
  streamId: string,
  revision: number,
  hash: string,
  previousHash: string | null,
  checkpoint: Checkpoint,
): StoredEvent => ({
  eventId: event.eventId,
  type: event.type,
  data: event.data,
  personal: event.personal,
  meta: event.meta,
  recordedAt: event.recordedAt,
  streamId,
  revision,
  checkpoint,
  hash,
  previousHash,
});

/** The head a writer saw when it decided: the append fails if the stream has moved since. */
export interface StreamHead {
  /** -1 for a stream that does not exist yet. */
  readonly revision: number;
  readonly hash: string | null;
}

export const NO_STREAM: StreamHead = { revision: -1, hash: null };

export interface StreamAppend {
  readonly streamId: string;
  readonly expected: StreamHead;
  readonly events: readonly NewEvent[];
}

export interface AppendResult {
  /** The checkpoint of the last event written: a reader at or past it has seen the whole append. */
  readonly checkpoint: Checkpoint;
  readonly events: readonly StoredEvent[];
}

export interface StoredEnvelope {
  readonly envelopeId: string;
  readonly envelopeHash: string;
  readonly streamId: string;
}

export interface EventStore {
  /**
   * Whether `findEnvelopes` sees every append at once (a unique index in the same transaction).
   * When false, the writer also checks a subject's own stream for the envelope id, so that
   * idempotency never rests on an index that may lag.
   */
  readonly globallyIdempotent: boolean;
  /**
   * Appends to several streams at once, all or nothing, in one round trip where the store allows.
   * @throws ConcurrencyError when a stream is not at its expected head or an event id exists.
   */
  append(appends: readonly StreamAppend[]): Promise<AppendResult>;
  /** One stream's events in revision order; empty for an unknown stream. */
  readStream(streamId: string): Promise<StoredEvent[]>;
  /** Several streams at once, in revision order each. */
  readStreams(streamIds: readonly string[]): Promise<Map<string, StoredEvent[]>>;
  /** The last revision of each of these streams that exists (absent: no such stream). */
  streamRevisions(streamIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * The global feed after `after`, in commit order, at most `limit` events. Never skips an event
   * that commits late: it stops short of anything a still-open transaction may yet write. A page
   * may hold fewer events than there are (the PostgreSQL store's also ends at a size in bytes);
   * only an empty page says the reader has caught up.
   */
  readFeed(after: Checkpoint | null, limit: number): Promise<StoredEvent[]>;
  /**
   * The same feed as `readFeed`, each event only as its id, hash and checkpoint, so a follower
   * that needs no content (the verifiable log's tree) reads no data and parses no JSON. Optional:
   * a store without it is followed through `readFeed`.
   */
  readFeedHeads?(after: Checkpoint | null, limit: number): Promise<FeedHead[]>;
  /** The checkpoint of the last event a feed reader can see now; null for an empty store. */
  head(): Promise<Checkpoint | null>;
  /**
   * Whole streams in stream-id order after `afterStreamId`, about `limit` events a page, never
   * splitting a stream: lets a rebuild fold one subject at a time and write each row once.
   * Optional: a store without it is rebuilt from the feed.
   */
  readByStream?(afterStreamId: string | null, limit: number): Promise<StoredEvent[]>;
  /** Envelopes already recorded, by envelope id (the idempotency key). */
  findEnvelopes(envelopeIds: readonly string[]): Promise<StoredEnvelope[]>;
  /** Every stream id, once each. */
  streams(): AsyncIterable<string>;
  /** <0, 0, >0 as a is before, at, or after b; `null` is before everything. */
  compare(a: Checkpoint | null, b: Checkpoint | null): number;
  /** Calls `listener` when new events may be in the feed (a hint, never the only trigger). */
  onAppended(listener: () => void): () => void;
  ping(): Promise<void>;
  close(): Promise<void>;
}
