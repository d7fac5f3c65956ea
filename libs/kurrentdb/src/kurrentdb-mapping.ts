import {
  ConcurrencyError,
  StoreUnavailableError,
  type EventMeta,
  type NewEvent,
  type StoredEvent,
  type StreamHead,
} from '#ledger/event-store';

/**
 * Pure translation between the ledger's events and KurrentDB's records, kept apart from the
 * client so it is unit-tested here even though no KurrentDB server runs on this machine.
 */

/** What a KurrentDB record holds: `data` keeps the ledger's data and personal parts apart. */
export interface KurrentRecordBody {
  readonly data: Readonly<Record<string, unknown>>;
  readonly personal: Readonly<Record<string, unknown>> | null;
}

export interface KurrentRecordMetadata {
  readonly meta: EventMeta;
  readonly recordedAt: string;
  readonly hash: string;
  readonly previousHash: string | null;
}

/** The subset of a KurrentDB resolved event the adapter reads. */
export interface KurrentRecord {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: { readonly commit: bigint; readonly prepare: bigint };
}

export type KurrentStreamState = 'no_stream' | bigint;

/** The expected revision as KurrentDB's `streamState`: NO_STREAM for a new stream. */
export const streamStateOf = (head: StreamHead): KurrentStreamState =>
  head.revision < 0 ? 'no_stream' : BigInt(head.revision);

export function toRecord(event: NewEvent, hash: string, previousHash: string | null) {
  const body: KurrentRecordBody = { data: event.data, personal: event.personal };
  const metadata: KurrentRecordMetadata = { meta: event.meta, recordedAt: event.recordedAt, hash, previousHash };
  return { id: event.eventId, type: event.type, data: body, metadata };
}

/**
 * A checkpoint on KurrentDB's $all is the commit position: the feed reads whole transactions, so
 * every event of one commit is applied in the same batch, and "at or past this commit" means the
 * whole append is visible.
 */
export const checkpointOf = (commit: bigint): string => commit.toString();

export function fromRecord(record: KurrentRecord): StoredEvent {
  const body = record.data as KurrentRecordBody;
  const metadata = record.metadata as KurrentRecordMetadata;
  return {
    streamId: record.streamId,
    revision: Number(record.revision),
    eventId: record.id,
    type: record.type,
    data: body.data,
    personal: body.personal,
    meta: metadata.meta,
    recordedAt: metadata.recordedAt,
    hash: metadata.hash,
    previousHash: metadata.previousHash,
    checkpoint: checkpointOf(record.position?.commit ?? 0n),
  };
}

export function compareCheckpoints(a: string | null, b: string | null): number {
  const x = BigInt(a ?? '-1');
  const y = BigInt(b ?? '-1');
  return x === y ? 0 : x < y ? -1 : 1;
}

/**
 * The one place KurrentDB's errors become the ledger's: a stream not where the writer saw it (or
 * a cross-stream consistency check failing) is a concurrency conflict; a server that cannot be
 * reached or is not the leader is "unavailable, retry"; anything else is a bug and rethrown.
 */
export function toStoreError(error: unknown, streamIds: readonly string[]): unknown {
  const type = (error as { type?: string; name?: string })?.type ?? (error as { name?: string })?.name ?? '';
  if (
    /wrong-expected-version|WrongExpectedVersion|append-consistency-violation|AppendConsistencyViolation/i.test(type)
  ) {
    return new ConcurrencyError(streamIds, 'a stream moved past its expected revision');
  }
  if (/unavailable|deadline-exceeded|DeadlineExceeded|not-leader|NotLeader|cancelled|timeout/i.test(type)) {
    return new StoreUnavailableError(error);
  }
  return error;
}
