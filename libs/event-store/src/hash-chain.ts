import { hash } from 'node:crypto';
import type { NewEvent, StoredEvent } from './event-store.port';

/**
 * JSON with object keys sorted at every depth: one text per value, whatever the key order. It is
 * computed twice per recorded envelope (its fingerprint, its event's hash): JSON.stringify writes
 * a copy whose objects have their keys in order (copied only where they are not), as one flat
 * string. Concatenated by hand, the same text was a rope of a hundred pieces per envelope, 40% of
 * the garbage of hashing a batch, and 5-10% slower.
 */
export function canonicalJson(value: unknown): string {
  const sorted = withSortedKeys(value);
  return sorted === BY_HAND ? canonicalJsonByHand(value) : (JSON.stringify(sorted) ?? 'null');
}

/**
 * What JSON.stringify would write otherwise than the canonical text: an object with array-index
 * keys (V8 enumerates them first, whatever order they were set in), a function or symbol value.
 */
const BY_HAND: unique symbol = Symbol('by hand');
/** A key V8 enumerates before the others, in numeric order, whatever order it was set in. */
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

/** `value` with every object's keys in sorted order: itself where they already are. */
function withSortedKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i += 1) {
      const v = value[i];
      const w = withSortedKeys(v);
      if (w === BY_HAND) return BY_HAND;
      if (w !== v && copy === null) copy = value.slice(0, i);
      copy?.push(w);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let inOrder = true;
  for (let i = 0; i < keys.length; i += 1) {
    if (keys.length > 1 && ARRAY_INDEX.test(keys[i]!)) return BY_HAND;
    if (i > 0 && keys[i - 1]! > keys[i]!) inOrder = false;
  }
  // Not a plain object (a class instance, a Date): JSON.stringify would call its toJSON, or see
  // a prototype; the canonical text is that of its own enumerable keys, as a plain copy gives.
  const proto = Object.getPrototypeOf(record);
  let copy: Record<string, unknown> | null = inOrder && (proto === Object.prototype || proto === null) ? null : {};
  if (!inOrder) keys.sort();
  for (const key of keys) {
    const v = record[key];
    // A function or a symbol: JSON.stringify leaves the key out, the canonical text writes null.
    if (typeof v === 'function' || typeof v === 'symbol') return BY_HAND;
    const w = withSortedKeys(v);
    if (w === BY_HAND) return BY_HAND;
    if (w !== v && copy === null) {
      copy = {};
      for (const earlier of keys) {
        if (earlier === key) break;
        define(copy, earlier, record[earlier]);
      }
    }
    if (copy !== null) define(copy, key, w);
  }
  return copy ?? record;
}

/** An own property, even for the key `__proto__` (which an assignment would take as the prototype). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** The same text, concatenated piece by piece: for the rare value JSON.stringify would write otherwise. */
function canonicalJsonByHand(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i > 0 ? ',' : '') + canonicalJsonByHand(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJsonByHand(v)}`;
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
    if (event.revision !== expectedRevision)
      return { streamId: event.streamId, revision: event.revision, problem: 'revision-gap' };
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
