import type { StoredEvent } from '#ledger/event-store';

/** One line of a person's audit trail: everything about the event but its personal values. */
export interface TrailEntry {
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly source: string;
  readonly actor: string | null;
  readonly purpose?: string;
  readonly purposes?: readonly string[];
  readonly lawfulBasis: string | null;
  /** Field keys only, never values. */
  readonly fields: readonly string[];
  /** The rest of the event's metadata: recipient, outcome, scope, reason code, policy version… */
  readonly details: Readonly<Record<string, unknown>>;
  readonly correlationId: string;
  readonly causationId: string;
  readonly hash: string;
  readonly previousHash: string | null;
}

/** Built from `data` and `meta` alone: the personal part of the event is never read here. */
export function trailEntryOf(event: StoredEvent): TrailEntry {
  const { purpose, purposes, fields, lawfulBasis, ...details } = event.data as {
    purpose?: string;
    purposes?: string[];
    fields?: string[];
    lawfulBasis?: string;
  } & Record<string, unknown>;
  return {
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    occurredAt: event.meta.occurredAt,
    recordedAt: event.recordedAt,
    source: event.meta.source,
    actor: event.meta.actor ?? null,
    ...(purpose !== undefined ? { purpose } : {}),
    ...(purposes !== undefined ? { purposes } : {}),
    lawfulBasis: lawfulBasis ?? (event.type === 'consent.given' ? 'consent' : null),
    fields: fields ?? [],
    details,
    correlationId: event.meta.correlationId,
    causationId: event.meta.causationId,
    hash: event.hash,
    previousHash: event.previousHash,
  };
}
