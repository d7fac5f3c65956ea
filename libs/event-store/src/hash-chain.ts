import { hash } from 'node:crypto';
import type { NewEvent, StoredEvent } from './event-store.port';

// Printable ASCII that JSON.stringify writes as it is (no quote, no backslash, no control character).
const PLAIN = /^[\w .:@+/-]*$/;
const quote = (s: string): string => (s.length <= 64 && PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

/**
 * JSON with object keys sorted at every depth: one text per value, whatever the key order. It is
 * computed twice per recorded envelope (its fingerprint, its event's hash), so it skips the sort
 * when keys already come in order and the escaping of short plain strings (same text, 3× faster).
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i += 1) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${quote(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Event ids are hashed as given but stored as UUIDs, which PostgreSQL and KurrentDB give back in
 * lowercase: an id in capitals would be stored under a hash that no longer verifies (a false
 * alarm of tampering). The stores refuse one; the edge gives every id its lowercase form first.
 */
export function assertCanonicalEventIds(appends: ReadonlyArray<{ readonly events: readonly NewEvent[] }>): void {
  for (const append of appends) {
    for (const event of append.events) {
      if (!CANONICAL_UUID.test(event.eventId)) throw new TypeError(`event id ${event.eventId} is not a lowercase UUID`);
    }
  }
}

/**
 * The link of the chain: sha256 over the previous hash and the canonical event, including its
 * place (stream, revision) so an event cannot be moved, and its personal part as stored, so the
 * chain still verifies once the keys that could read that part are destroyed.
 */
export function eventHash(streamId: string, revision: number, event: NewEvent, previousHash: string | null): string {
  // Keys in sorted order, so canonicalJson has nothing to sort (the text is the same either way).
  const body = canonicalJson({
    data: event.data,
    eventId: event.eventId,
    meta: event.meta,
    personal: event.personal,
    recordedAt: event.recordedAt,
    revision,
    streamId,
    type: event.type,
  });
  // One-shot: no Hash object per event (each one is a native handle the garbage collector must visit).
  return hash('sha256', `${previousHash ?? ''}\n${body}`, 'hex');
}

export interface BrokenLink {
  readonly streamId: string;
  readonly revision: number;
  readonly problem: 'hash-mismatch' | 'previous-hash-mismatch' | 'revision-gap';
}

/** The first broken link of one stream's chain, or null when it holds from revision 0. */
export function verifyChain(events: readonly StoredEvent[]): BrokenLink | null {
  let previous: StoredEvent | null = null;
  for (const event of events) {
    const expectedRevision = previous ? previous.revision + 1 : 0;
    if (event.revision !== expectedRevision) return { streamId: event.streamId, revision: event.revision, problem: 'revision-gap' };
    if (event.previousHash !== (previous?.hash ?? null)) {
      return { streamId: event.streamId, revision: event.revision, problem: 'previous-hash-mismatch' };
    }
    if (eventHash(event.streamId, event.revision, event, event.previousHash) !== event.hash) {
      return { streamId: event.streamId, revision: event.revision, problem: 'hash-mismatch' };
    }
    previous = event;
  }
  return null;
}
