import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  jsonEvent,
  streamNameFilter,
  type AllStreamSubscription,
  type AppendStreamRequest,
} from '@kurrent/kurrentdb-client';
import { migrate, type Pool } from '#ledger/postgres';
import {
  assertCanonicalEventIds,
  eventHash,
  storedEvent,
  type AppendResult,
  type Checkpoint,
  type EventStore,
  type NewEvent,
  type StoredEnvelope,
  type StoredEvent,
  type StreamAppend,
} from '#ledger/event-store';
import {
  checkpointOf,
  compareCheckpoints,
  fromRecord,
  streamStateOf,
  toRecord,
  toStoreError,
  type KurrentRecord,
} from './kurrentdb-mapping';

const PREFIX = 'subject-';

export interface KurrentDbEventStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false` */
  readonly url: string;
  /** The ledger's PostgreSQL: read models, keys, and this store's envelope index stay there. */
  readonly pool: Pool;
}

/**
 * Events in KurrentDB (or EventStoreDB 20+): one stream per subject, appends across streams in one
 * atomic `multiStreamAppend` (servers 25.1+), the expected revision as `streamState`, and the
 * global feed read from $all with a server-side stream-name filter.
 *
 * Idempotency beyond the server's own de-duplication window: the server only recognises an event
 * id it saw recently and at the same expected version. The ledger does not rely on it: (1) the
 * writer checks the subject's own stream for the envelope id before deciding (this store says it
 * is not globally idempotent), which holds forever, and (2) every append is indexed by envelope id
 * in PostgreSQL (`ledger_kurrent_envelopes`) for envelopes that arrive under another ref.
 */
export class KurrentDbEventStore implements EventStore {
  readonly globallyIdempotent = false;
  private readonly listeners = new Set<() => void>();
  private subscription: AllStreamSubscription | null = null;
  private closed = false;

  private constructor(
    private readonly client: KurrentDBClient,
    private readonly pool: Pool,
  ) {}

  static async open(options: KurrentDbEventStoreOptions): Promise<KurrentDbEventStore> {
    await migrate(options.pool, 'kurrentdb-envelope-index', [
      {
        version: 1,
        description: 'envelope id → stream, for idempotency across subjects',
        sql: `CREATE TABLE ledger_kurrent_envelopes (
                envelope_id uuid PRIMARY KEY, envelope_hash text NOT NULL, stream_id text NOT NULL)`,
      },
    ]);
    return new KurrentDbEventStore(KurrentDBClient.connectionString(options.url), options.pool);
  }

  async append(appends: readonly StreamAppend[]): Promise<AppendResult> {
    assertCanonicalEventIds(appends);
    const linked: Array<{
      event: NewEvent;
      streamId: string;
      revision: number;
      hash: string;
      previousHash: string | null;
    }> = [];
    const requests: AppendStreamRequest[] = appends.map((append) => {
      let previousHash = append.expected.hash;
      let revision = append.expected.revision;
      const records = append.events.map((event) => {
        revision += 1;
        const hash = eventHash(append.streamId, revision, event, previousHash);
        linked.push({ event, streamId: append.streamId, revision, hash, previousHash });
        const record = toRecord(event, hash, previousHash);
        previousHash = hash;
        return jsonEvent({
          id: record.id,
          type: record.type,
          data: { ...record.data },
          metadata: { ...record.metadata },
        });
      });
      return { streamName: append.streamId, events: records, expectedState: streamStateOf(append.expected) };
    });
    if (requests.length === 0) return { checkpoint: '0', events: [] };
    let position: bigint;
    try {
      ({ position } = await this.client.multiStreamAppend(requests));
    } catch (error) {
      throw toStoreError(
        error,
        appends.map((a) => a.streamId),
      );
    }
    const checkpoint = checkpointOf(position);
    const stored = linked.map((l) => storedEvent(l.event, l.streamId, l.revision, l.hash, l.previousHash, checkpoint));
    const primaries = stored.filter((e) => e.eventId === e.meta.envelopeId);
    if (primaries.length > 0) {
      await this.pool.query(
        `INSERT INTO ledger_kurrent_envelopes (envelope_id, envelope_hash, stream_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [primaries.map((e) => e.eventId), primaries.map((e) => e.meta.envelopeHash), primaries.map((e) => e.streamId)],
      );
    }
    this.listeners.forEach((listener) => listener());
    return { checkpoint, events: stored };
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { fromRevision: START, direction: FORWARDS })) {
        if (resolved.event) events.push(fromRecord(resolved.event as unknown as KurrentRecord));
      }
    } catch (error) {
      if ((error as { type?: string }).type === 'stream-not-found') return [];
      throw toStoreError(error, [streamId]);
    }
    return events;
  }

  async readStreams(streamIds: readonly string[]): Promise<Map<string, StoredEvent[]>> {
    const streams = new Map<string, StoredEvent[]>();
    const read = await Promise.all(streamIds.map(async (id) => [id, await this.readStream(id)] as const));
    for (const [id, events] of read) if (events.length > 0) streams.set(id, events);
    return streams;
  }

  async streamRevisions(streamIds: readonly string[]): Promise<Map<string, number>> {
    const revisions = new Map<string, number>();
    await Promise.all(
      streamIds.map(async (streamId) => {
        try {
          for await (const resolved of this.client.readStream(streamId, {
            fromRevision: END,
            direction: BACKWARDS,
            maxCount: 1,
          })) {
            if (resolved.event) revisions.set(streamId, Number(resolved.event.revision));
          }
        } catch (error) {
          if ((error as { type?: string }).type === 'stream-not-found') return;
          throw toStoreError(error, [streamId]);
        }
      }),
    );
    return revisions;
  }

  async readFeed(after: Checkpoint | null, limit: number): Promise<StoredEvent[]> {
    const from = after === null ? START : { commit: BigInt(after), prepare: BigInt(after) };
    const events: StoredEvent[] = [];
    try {
      const reader = this.client.readAll({
        fromPosition: from,
        direction: FORWARDS,
        filter: streamNameFilter({ prefixes: [PREFIX] }),
      });
      for await (const resolved of reader) {
        if (!resolved.event) continue;
        const event = fromRecord(resolved.event as unknown as KurrentRecord);
        if (after !== null && compareCheckpoints(event.checkpoint, after) <= 0) continue;
        // Never end a page inside one commit: its events are applied together or not at all.
        if (events.length >= limit && event.checkpoint !== events[events.length - 1]!.checkpoint) break;
        events.push(event);
      }
    } catch (error) {
      throw toStoreError(error, []);
    }
    return events;
  }

  async head(): Promise<Checkpoint | null> {
    try {
      for await (const resolved of this.client.readAll({
        maxCount: 1,
        fromPosition: END,
        direction: 'backwards',
        filter: streamNameFilter({ prefixes: [PREFIX] }),
      })) {
        if (resolved.event?.position) return checkpointOf(resolved.event.position.commit);
      }
      return null;
    } catch (error) {
      throw toStoreError(error, []);
    }
  }

  async findEnvelopes(envelopeIds: readonly string[]): Promise<StoredEnvelope[]> {
    if (envelopeIds.length === 0) return [];
    const { rows } = await this.pool.query<{ envelope_id: string; envelope_hash: string; stream_id: string }>(
      'SELECT envelope_id, envelope_hash, stream_id FROM ledger_kurrent_envelopes WHERE envelope_id = ANY($1::uuid[])',
      [envelopeIds],
    );
    return rows.map((r) => ({ envelopeId: r.envelope_id, envelopeHash: r.envelope_hash, streamId: r.stream_id }));
  }

  async *streams(): AsyncIterable<string> {
    for await (const resolved of this.client.readAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: [PREFIX] }),
    })) {
      if (resolved.event && resolved.event.revision === 0n) yield resolved.event.streamId;
    }
  }

  compare(a: Checkpoint | null, b: Checkpoint | null): number {
    return compareCheckpoints(a, b);
  }

  /** Live appends of other instances arrive through a filtered subscription to $all. */
  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.subscription && !this.closed) {
      const subscribe = () => {
        const subscription = this.client.subscribeToAll({
          fromPosition: END,
          filter: streamNameFilter({ prefixes: [PREFIX] }),
        });
        this.subscription = subscription;
        subscription.on('data', () => this.listeners.forEach((l) => l()));
        subscription.on('error', () => {
          this.subscription = null;
          if (!this.closed) setTimeout(subscribe, 1000).unref();
        });
      };
      subscribe();
    }
    return () => this.listeners.delete(listener);
  }

  async ping(): Promise<void> {
    try {
      for await (const _ of this.client.readAll({ maxCount: 1, fromPosition: END, direction: 'backwards' })) break;
    } catch (error) {
      throw toStoreError(error, []);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscription?.unsubscribe().catch(() => undefined);
    await this.client.dispose();
  }
}
