import { createHash, randomUUID } from 'node:crypto';
import {
  canonicalJson,
  ConcurrencyError,
  NO_STREAM,
  type Checkpoint,
  type EventStore,
  type NewEvent,
  type StoredEvent,
  type StreamHead,
} from '#ledger/event-store';
import { breachStreamId, type BreachFacts, type BreachNotification } from '#ledger/projections';
import { IdReusedError } from '#ledger/recording';

export type BreachRecordResult =
  | { readonly status: 'recorded' | 'duplicate'; readonly checkpoint: Checkpoint | null }
  | { readonly status: 'unknown'; readonly checkpoint: null };

/** A breach id recorded before with other content: the 409 `ID_REUSED` an envelope gets, worded for a breach. */
export class BreachIdReusedError extends IdReusedError {
  constructor(breachId: string) {
    super(breachId);
    this.message = `breach id ${breachId} was recorded before with other content`;
  }
}

const sha256 = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');

const headOf = (events: readonly StoredEvent[]): StreamHead => {
  const last = events.at(-1);
  return last ? { revision: last.revision, hash: last.hash } : NO_STREAM;
};

/**
 * Writes the breach log (Art. 33(5)) to the event store: each breach a stream of its own
 * (`breach-<id>`), hash-chained like every stream and so a leaf of the verifiable log too. Its
 * text describes the breach, not a person, so it is kept readable rather than sealed.
 */
export class BreachRecorder {
  constructor(private readonly store: EventStore) {}

  /** The breach, once: the same content again is a duplicate, other content under its id is ID_REUSED. */
  async record(facts: BreachFacts, actor: string, now: string): Promise<BreachRecordResult> {
    const streamId = breachStreamId(facts.id);
    const envelopeHash = sha256(facts);
    // A concurrent first write of the same breach loses the race once, then reads what won.
    for (let attempt = 0; ; attempt += 1) {
      const existing = await this.store.readStream(streamId);
      const first = existing[0];
      if (first) {
        if (first.meta.envelopeHash !== envelopeHash) throw new BreachIdReusedError(facts.id);
        return { status: 'duplicate', checkpoint: null };
      }
      const event = this.event('breach.recorded', { ...facts }, facts.id, envelopeHash, facts.id, actor, now);
      try {
        const { checkpoint } = await this.store.append([{ streamId, expected: NO_STREAM, events: [event] }]);
        return { status: 'recorded', checkpoint };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt > 0) throw error;
      }
    }
  }

  /** A notification of the authority or of the persons; `unknown` for a breach never recorded. */
  async notify(breachId: string, notification: BreachNotification, actor: string, now: string) {
    const streamId = breachStreamId(breachId);
    for (let attempt = 0; ; attempt += 1) {
      const existing = await this.store.readStream(streamId);
      if (existing.length === 0) return { status: 'unknown', checkpoint: null } satisfies BreachRecordResult;
      const id = randomUUID();
      const event = this.event('breach.notified', { ...notification }, id, sha256(notification), breachId, actor, now);
      try {
        const { checkpoint } = await this.store.append([{ streamId, expected: headOf(existing), events: [event] }]);
        return { status: 'recorded', checkpoint } satisfies BreachRecordResult;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt > 0) throw error;
      }
    }
  }

  private event(
    type: string,
    data: Record<string, unknown>,
    envelopeId: string,
    envelopeHash: string,
    breachId: string,
    actor: string,
    now: string,
  ): NewEvent {
    const occurredAt = typeof data.at === 'string' ? data.at : String(data.discoveredAt);
    return {
      eventId: randomUUID(),
      type,
      data,
      personal: null,
      meta: {
        actor,
        causationId: envelopeId,
        correlationId: breachId,
        envelopeHash,
        envelopeId,
        occurredAt,
        source: 'dpo',
      },
      recordedAt: now,
    };
  }
}
